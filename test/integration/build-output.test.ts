import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const out = path.resolve(import.meta.dirname, '..', '..', 'out');

/** Every module specifier a built file loads, from `require(…)`, `import … from` and `import(…)`. */
function loadedModules(file: string): string[] {
  const code = fs.readFileSync(file, 'utf8');
  const found = new Set<string>();
  for (const pattern of [
    /require\(\s*["']([^"']+)["']\s*\)/g,
    /\bfrom\s*["']([^"']+)["']/g,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  ]) {
    for (const match of code.matchAll(pattern)) if (match[1]) found.add(match[1]);
  }
  return [...found].sort();
}

describe('the build', () => {
  it('bundles the preload into one CommonJS file that needs only electron (sandboxed preloads can load nothing else)', () => {
    const preloadDir = path.join(out, 'preload');
    expect(fs.readdirSync(preloadDir)).toEqual(['index.cjs']);
    const preload = path.join(preloadDir, 'index.cjs');
    expect(loadedModules(preload)).toEqual(['electron']);
    expect(fs.readFileSync(preload, 'utf8')).toContain('exposeInMainWorld');
  });

  it('keeps electron out of the headless entry and every chunk it shares with the desktop app', () => {
    const mainDir = path.join(out, 'main');
    const files = [
      path.join(mainDir, 'headless.js'),
      ...fs.readdirSync(path.join(mainDir, 'chunks')).map((f) => path.join(mainDir, 'chunks', f)),
    ];
    for (const file of files) expect(loadedModules(file), file).not.toContain('electron');
    expect(loadedModules(path.join(mainDir, 'index.js'))).toContain('electron');
  });

  it('writes the shared CSP into the built page', () => {
    const html = fs.readFileSync(path.join(out, 'renderer', 'index.html'), 'utf8');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'/);
    expect(html).not.toContain('%SHOOTLINE_CSP%');
  });
});
