import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ENTRY_URL, createAppHandler } from '../../main/app/app-protocol';
import { CONTENT_SECURITY_POLICY } from '../../shared/security';
import { tempDir } from '../support/temp';

function builtRenderer(): { root: string; outside: string } {
  const base = tempDir('shootline-app-scheme-');
  const root = path.join(base, 'renderer');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Shootline</title>');
  fs.writeFileSync(path.join(root, 'assets', 'index-abc123.js'), 'console.log(1);');
  fs.writeFileSync(path.join(root, 'assets', 'empty.css'), '');
  const outside = path.join(base, 'secret.txt');
  fs.writeFileSync(outside, 'not for the page');
  fs.symlinkSync(outside, path.join(root, 'assets', 'linked.txt'));
  return { root, outside };
}

const get = (url: string, init?: RequestInit): Request => new Request(url, init);

describe('the app scheme (shootline-app://app/…)', () => {
  it('serves the page with the one CSP and assets with their types', async () => {
    const { root } = builtRenderer();
    const handle = createAppHandler(root);
    const page = await handle(get(APP_ENTRY_URL));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(await page.text()).toContain('<title>Shootline</title>');

    const root2 = await handle(get('shootline-app://app/'));
    expect(await root2.text()).toContain('<title>Shootline</title>');

    const script = await handle(get('shootline-app://app/assets/index-abc123.js'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await script.text()).toBe('console.log(1);');

    const empty = await handle(get('shootline-app://app/assets/empty.css'));
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe('');
  });

  it.each([
    ['a path out of the renderer', 'shootline-app://app/..%2F..%2Fsecret.txt', 404],
    ['an encoded backslash path out', 'shootline-app://app/..%5C..%5Csecret.txt', 404],
    ['a link that points out of the renderer', 'shootline-app://app/assets/linked.txt', 404],
    ['a folder', 'shootline-app://app/assets', 404],
    ['a missing file', 'shootline-app://app/nothing.js', 404],
    ['another host of the scheme', 'shootline-app://elsewhere/index.html', 404],
    ['a broken escape', 'shootline-app://app/%zz', 400],
    ['a NUL byte', 'shootline-app://app/index.html%00.js', 400],
  ])('refuses %s', async (_label, url, status) => {
    const { root } = builtRenderer();
    const response = await createAppHandler(root)(get(url));
    expect(response.status).toBe(status);
  });

  it('refuses writes and answers HEAD without a body', async () => {
    const { root } = builtRenderer();
    const handle = createAppHandler(root);
    expect((await handle(get(APP_ENTRY_URL, { method: 'POST', body: 'x' }))).status).toBe(405);
    const head = await handle(get(APP_ENTRY_URL, { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String('<!doctype html><title>Shootline</title>'.length));
  });

  it('never serves a FIFO put among the assets', async () => {
    const { root } = builtRenderer();
    const fifo = path.join(root, 'assets', 'pipe.js');
    execFileSync('mkfifo', [fifo]);
    const response = await createAppHandler(root)(get('shootline-app://app/assets/pipe.js'));
    expect(response.status).toBe(404);
  });
});
