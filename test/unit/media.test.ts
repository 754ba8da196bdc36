import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInside, parseMediaPath, parseMediaUrl } from '../../main/engine/media';

describe('parseMediaUrl', () => {
  it('reads a kind and an id', () => {
    expect(parseMediaUrl('shootline-media://thumbnail/abc123')).toEqual({ kind: 'thumbnail', id: 'abc123' });
    expect(parseMediaUrl('shootline-media://original/abc')).toEqual({ kind: 'original', id: 'abc' });
    expect(parseMediaUrl('shootline-media://variant/v_1-2')).toEqual({ kind: 'variant', id: 'v_1-2' });
  });

  it.each([
    ['a parent segment', 'shootline-media://thumbnail/../../etc/passwd'],
    ['an encoded parent segment', 'shootline-media://thumbnail/%2e%2e/%2e%2e/etc/passwd'],
    ['an encoded slash', 'shootline-media://thumbnail/..%2F..%2Fetc%2Fpasswd'],
    ['an encoded backslash', 'shootline-media://thumbnail/..%5C..%5Cwindows'],
    ['an absolute path as id', 'shootline-media://thumbnail//etc/passwd'],
    ['two segments', 'shootline-media://thumbnail/a/b'],
    ['an unknown kind', 'shootline-media://thumb/abc'],
    ['another scheme', 'file:///etc/passwd'],
    ['a dot in the id', 'shootline-media://thumbnail/abc.webp'],
    ['no id', 'shootline-media://thumbnail/'],
    ['not a URL', 'thumb/abc'],
  ])('refuses %s', (_label, url) => {
    expect(parseMediaUrl(url)).toBeNull();
  });
});

describe('isInside', () => {
  const root = path.resolve('/data/app');

  it('accepts a file under the root', () => {
    expect(isInside(root, path.join(root, 'thumb', 'a.webp'))).toBe(true);
  });

  it.each([
    ['the root itself', root],
    ['a parent escape', path.join(root, '..', 'other', 'a.webp')],
    ['a sibling folder sharing the prefix', path.resolve('/data/app-evil/a.webp')],
    ['a sibling file sharing the prefix', path.resolve('/data/apple')],
    ['an unrelated absolute path', path.resolve('/etc/passwd')],
    ['an escape hidden mid-path', path.join(root, 'thumb', '..', '..', 'app-evil', 'x')],
  ])('refuses %s', (_label, candidate) => {
    expect(isInside(root, candidate)).toBe(false);
  });
});

describe('parseMediaPath', () => {
  it('reads the headless server path', () => {
    expect(parseMediaPath('/media/preview/abc-1')).toEqual({ kind: 'preview', id: 'abc-1' });
  });

  it.each([
    ['a parent segment', '/media/preview/../../etc/passwd'],
    ['an encoded slash', '/media/preview/..%2Fsecret'],
    ['an unknown kind', '/media/secrets/abc'],
    ['two segments', '/media/preview/a/b'],
    ['no media prefix', '/preview/abc'],
  ])('refuses %s', (_label, pathname) => {
    expect(parseMediaPath(pathname)).toBeNull();
  });
});
