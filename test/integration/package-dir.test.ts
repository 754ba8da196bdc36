import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { listPackage, statFile } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp';

const root = path.resolve(import.meta.dirname, '..', '..');

/** Packages (by node_modules path) in the archive that carry compiled code. */
function nativePackages(entries: string[]): string[] {
  const packages = new Set<string>();
  for (const entry of entries) {
    if (!entry.endsWith('.node')) continue;
    const match = /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(entry.replaceAll('\\', '/'));
    if (match?.[1]) packages.add(match[1]);
  }
  return [...packages].sort();
}

/** Fuse states in the wire: the ASCII digits '0' and '1'. */
const FUSE_OFF = '0'.charCodeAt(0);
const FUSE_ON = '1'.charCodeAt(0);

/** The `key: value` lines of a flat YAML mapping (plain or quoted scalars; comments skipped). */
function yamlPairs(lines: string[]): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const line of lines) {
    const match = /^\s*([A-Za-z][\w-]*):\s*(.*?)\s*$/.exec(line);
    if (match?.[1] && match[2] !== undefined) pairs.set(match[1], match[2].replace(/^(['"])(.*)\1$/, '$2'));
  }
  return pairs;
}

/**
 * A top-level block of a YAML file, e.g. `electronFuses:`, as its `key: value` lines. Enough for
 * electron-builder.yml's flat blocks; a nested or flow-style block would come back incomplete.
 */
function yamlBlock(text: string, name: string): Map<string, string> {
  const lines = text.split(/\r?\n/);
  const start = lines.indexOf(`${name}:`);
  if (start < 0) throw new Error(`no top-level ${name}: block`);
  const end = lines.findIndex((line, index) => index > start && /^\S/.test(line) && !line.startsWith('#'));
  return yamlPairs(lines.slice(start + 1, end < 0 ? undefined : end));
}

/** The fuses electron-builder.yml declares, by their index in the wire (FuseV1Options). */
function declaredFuses(config: string): Map<FuseV1Options, boolean> {
  const fuses = new Map<FuseV1Options, boolean>();
  for (const [option, value] of yamlBlock(config, 'electronFuses')) {
    if (option === 'resetAdHocDarwinSignature') continue; // macOS signing, not a fuse
    // electron-builder's option names are FuseV1Options' names with a lower-case first letter.
    const fuse = (FuseV1Options as Record<string, FuseV1Options | string | undefined>)[
      option.charAt(0).toUpperCase() + option.slice(1)
    ];
    if (typeof fuse !== 'number') throw new Error(`electronFuses.${option} is not a fuse @electron/fuses knows`);
    if (value !== 'true' && value !== 'false') throw new Error(`electronFuses.${option}: ${value} is not a boolean`);
    fuses.set(fuse, value === 'true');
  }
  return fuses;
}

describe('npm run package:dir', () => {
  it('ships the built app in the asar, native modules unpacked, the fuses flipped as declared', async () => {
    const output = tempDir('shootline-package-');
    execFileSync(process.execPath, [path.join(root, 'scripts', 'package-dir.mjs'), `--output=${output}`], {
      cwd: root,
      stdio: 'pipe',
    });
    const config = fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
    const resources = path.join(output, 'linux-unpacked', 'resources');
    const archive = path.join(resources, 'app.asar');
    const entries = listPackage(archive, { isPack: false }).map((entry) => entry.replaceAll('\\', '/'));

    for (const built of [
      '/out/main/index.js',
      '/out/main/headless.js',
      '/out/preload/index.cjs',
      '/out/renderer/index.html',
    ]) {
      expect(entries, built).toContain(built);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string };
    expect(entries).toContain(`/${manifest.main}`);
    expect(entries.some((entry) => entry.startsWith('/out/renderer/assets/') && entry.endsWith('.js'))).toBe(true);
    // Tests, sources and source maps stay out of the product.
    expect(entries.filter((entry) => /^\/(test|main|renderer\/src|shared|scripts)\//.test(entry))).toEqual([]);
    expect(entries.filter((entry) => entry.endsWith('.map'))).toEqual([]);

    const natives = nativePackages(entries);
    expect(natives).toContain('/node_modules/better-sqlite3');
    for (const entry of entries.filter((file) => file.endsWith('.node'))) {
      const stat = statFile(archive, entry.slice(1), false) as { unpacked?: boolean };
      expect(stat.unpacked, `${entry} must be unpacked`).toBe(true);
      expect(fs.existsSync(path.join(`${archive}.unpacked`, entry)), `${entry} on disk`).toBe(true);
    }

    // Runtime dependencies electron-vite leaves external: they must ship in the asar.
    for (const runtime of ['electron-store', 'conf', 'electron-updater']) {
      expect(entries, runtime).toContain(`/node_modules/${runtime}/package.json`);
    }

    // Every fuse @electron/fuses knows is declared, and the packaged binary (the stand-in's fake
    // wire offline, the real Electron otherwise) carries each one as declared.
    const declared = declaredFuses(config);
    const known = Object.values(FuseV1Options).filter((value) => typeof value === 'number');
    expect([...declared.keys()].sort((a, b) => a - b)).toEqual(known.sort((a, b) => a - b));
    const wire = await getCurrentFuseWire(path.join(output, 'linux-unpacked', 'shootline'));
    expect(wire.version).toBe('1');
    for (const [fuse, on] of declared) {
      expect(wire[fuse], `fuse ${FuseV1Options[fuse]}`).toBe(on ? FUSE_ON : FUSE_OFF);
    }

    // What electron-updater reads at run time: the publish block of electron-builder.yml.
    const publish = yamlBlock(config, 'publish');
    expect(publish.get('provider')).toBe('generic');
    const appUpdate = yamlPairs(fs.readFileSync(path.join(resources, 'app-update.yml'), 'utf8').split(/\r?\n/));
    expect(appUpdate.get('provider')).toBe('generic');
    expect(appUpdate.get('url')).toBe(publish.get('url'));
  });
});
