import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { listPackage, statFile } from '@electron/asar';
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

describe('npm run package:dir', () => {
  it('ships the built app in the asar and every native module unpacked', () => {
    const output = tempDir('shootline-package-');
    execFileSync(process.execPath, [path.join(root, 'scripts', 'package-dir.mjs'), `--output=${output}`], {
      cwd: root,
      stdio: 'pipe',
    });
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
  });
});
