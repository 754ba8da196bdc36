import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Some integration tests run the built app (the CLI, packaging, the scan of built JavaScript).
 * `npm test` builds first; this covers `npx vitest` on its own in a fresh checkout.
 */
export default function ensureBuilt(): void {
  const root = path.resolve(import.meta.dirname, '..', '..');
  if (fs.existsSync(path.join(root, 'out', 'main', 'headless.js'))) return;
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}
