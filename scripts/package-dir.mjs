#!/usr/bin/env node
// `npm run package:dir`: an unpacked build (electron-builder --dir). Where the real Electron
// binary is missing (it is downloaded from GitHub, which these machines cannot reach), a stand-in
// Electron folder is made so that everything else — file selection, the asar, unpacked native
// modules — is still built and can be checked. The result then cannot be launched; it says so.
// The stand-in binary carries a fake fuse wire so that electron-builder flips the fuses declared in
// electron-builder.yml on it as on a real Electron; the wire is read back and printed at the end.
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

// The fuse wire as @electron/fuses finds it in an Electron binary: the sentinel, the schema version
// (one byte, 1), the number of fuses (one byte), then one ASCII byte per fuse: '0' off, '1' on.
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const FUSE_WIRE_VERSION = 1;
// Electron 45's fuses, in wire order, with the values it ships with (build/fuses/fuses.json5 in
// electron/electron). Names as @electron/fuses' FuseV1Options; update when Electron adds a fuse.
const ELECTRON_FUSES = [
  ['RunAsNode', '1'],
  ['EnableCookieEncryption', '0'],
  ['EnableNodeOptionsEnvironmentVariable', '1'],
  ['EnableNodeCliInspectArguments', '1'],
  ['EnableEmbeddedAsarIntegrityValidation', '0'],
  ['OnlyLoadAppFromAsar', '0'],
  ['LoadBrowserProcessSpecificV8Snapshot', '0'],
  ['GrantFileProtocolExtraPrivileges', '1'],
  // Since Electron 41; @electron/fuses 1.8 (what electron-builder 26 uses) has no name for it.
  ['WasmTrapHandlers', '1'],
];

function fakeFuseWire() {
  const states = ELECTRON_FUSES.map(([, state]) => state).join('');
  return Buffer.concat([
    Buffer.from(FUSE_SENTINEL, 'latin1'),
    Buffer.from([FUSE_WIRE_VERSION, ELECTRON_FUSES.length]),
    Buffer.from(states, 'latin1'),
  ]);
}

function makeStandIn() {
  const dir = path.join(root, '.cache', `electron-standin-${electronVersion}`);
  fs.mkdirSync(path.join(dir, 'locales'), { recursive: true });
  const binary = path.join(dir, 'electron');
  // Written on every run, so a stand-in cached before the wire existed gets one. The shell stops at
  // `exit 1`; the wire sits in a comment line after it, where only @electron/fuses looks.
  fs.writeFileSync(
    binary,
    Buffer.concat([
      Buffer.from(
        '#!/bin/sh\necho "This is a stand-in for Electron: the package was built offline and cannot run." >&2\nexit 1\n# fuse wire: ',
      ),
      fakeFuseWire(),
      Buffer.from('\n'),
    ]),
  );
  fs.chmodSync(binary, 0o755);
  fs.writeFileSync(path.join(dir, 'version'), electronVersion);
  fs.writeFileSync(path.join(dir, 'LICENSE'), 'Stand-in for the Electron distribution.\n');
  fs.writeFileSync(path.join(dir, 'locales', 'en-US.pak'), '');
  return dir;
}

/** The packaged executable(s) carrying a fuse wire: top-level files of each linux*-unpacked folder. */
function packagedBinaries() {
  if (!fs.existsSync(output)) return [];
  const sentinel = Buffer.from(FUSE_SENTINEL, 'latin1');
  return fs
    .readdirSync(output, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^linux(-.+)?-unpacked$/.test(entry.name))
    .flatMap((folder) =>
      fs
        .readdirSync(path.join(output, folder.name), { withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.join(output, folder.name, entry.name)),
    )
    .filter((file) => fs.readFileSync(file).includes(sentinel));
}

/** A path relative to the working directory when it is inside it, else absolute. */
function shown(file) {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** Prints the fuse wire of each packaged stand-in, read back with @electron/fuses' own reader. */
async function printFuseWires() {
  const { getCurrentFuseWire } = require('@electron/fuses');
  const states = { 48: 'off', 49: 'on', 114: 'removed' };
  for (const binary of packagedBinaries()) {
    const wire = await getCurrentFuseWire(binary);
    const indexes = Object.keys(wire).filter((key) => /^\d+$/.test(key));
    process.stdout.write(
      `Fuse wire read back from ${shown(binary)} (schema ${wire.version}, ${indexes.length} fuses):\n`,
    );
    for (const index of indexes) {
      const name = ELECTRON_FUSES[Number(index)]?.[0] ?? `fuse ${index}`;
      process.stdout.write(`  ${index} ${name.padEnd(38)} ${states[wire[index]] ?? `byte ${wire[index]}`}\n`);
    }
  }
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
if (!real && result.status === 0) await printFuseWires();
