#!/usr/bin/env node
// `npm run package:dir`: an unpacked build (electron-builder --dir). Where the real Electron
// binary is missing (it is downloaded from GitHub, which these machines cannot reach), a stand-in
// Electron folder is made so that everything else — file selection, the asar, unpacked native
// modules — is still built and can be checked. The result then cannot be launched; it says so.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const electronVersion = require('electron/package.json').version;
const outputArg = process.argv.find((arg) => arg.startsWith('--output='));
const output = outputArg ? path.resolve(outputArg.slice('--output='.length)) : path.join(root, 'release');

function realElectronDist() {
  const dist = path.join(root, 'node_modules', 'electron', 'dist');
  const binary =
    process.platform === 'win32' ? 'electron.exe' : process.platform === 'darwin' ? 'Electron.app' : 'electron';
  return fs.existsSync(path.join(dist, binary)) ? dist : null;
}

function makeStandIn() {
  const dir = path.join(root, '.cache', `electron-standin-${electronVersion}`);
  fs.mkdirSync(path.join(dir, 'locales'), { recursive: true });
  const binary = path.join(dir, 'electron');
  fs.writeFileSync(
    binary,
    '#!/bin/sh\necho "This is a stand-in for Electron: the package was built offline and cannot run." >&2\nexit 1\n',
  );
  fs.chmodSync(binary, 0o755);
  fs.writeFileSync(path.join(dir, 'version'), electronVersion);
  fs.writeFileSync(path.join(dir, 'LICENSE'), 'Stand-in for the Electron distribution.\n');
  fs.writeFileSync(path.join(dir, 'locales', 'en-US.pak'), '');
  return dir;
}

const real = realElectronDist();
const dist = real ?? makeStandIn();
if (!real) {
  process.stderr.write(
    `Electron ${electronVersion} is not downloaded here; packaging with a stand-in at ${dist}.\n` +
      'The folder it makes shows what ships (asar, unpacked native modules) but cannot be launched.\n',
  );
}

const result = spawnSync(
  process.execPath,
  [
    require.resolve('electron-builder/cli.js'),
    '--dir',
    '--linux',
    `--config.electronDist=${dist}`,
    `--config.electronVersion=${electronVersion}`,
    `--config.directories.output=${output}`,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, ELECTRON_BUILDER_OFFLINE: '1' } },
);
process.exitCode = result.status ?? 1;
