#!/usr/bin/env node
// Entry for `npx shootline`: checks the Node version (better-sqlite3 crashes on Node 20) and that
// the app was built, then hands over to the built headless CLI (help and the version need no build).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `Shootline needs Node 24 or newer; this is Node ${process.versions.node}.\n` +
      'Run it through npm ("npm run serve" or "npx shootline serve" inside the project), which uses the Node 24 the project installs.\n',
  );
  process.exit(1);
}
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
// Help and the version need no build: a fresh clone answers them as the README says.
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  const { usage } = await import('./cli-text.mjs');
  process.stdout.write(`${usage()}\n`);
  process.exit(0);
}
if (args.includes('--version')) {
  const { readVersion } = await import('./cli-text.mjs');
  process.stdout.write(`${readVersion(root)}\n`);
  process.exit(0);
}
const entry = path.join(root, 'out', 'main', 'headless.js');
if (!fs.existsSync(entry)) {
  process.stderr.write(
    'Shootline has not been built yet. Run "npm run build" (or "npm run serve", which builds first).\n',
  );
  process.exit(1);
}
await import(pathToFileURL(entry).href);
