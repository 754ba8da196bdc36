import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInside, mediaFilePath, parseMediaUrl } from '../../main/engine/media';

describe('parseMediaUrl', () => {
  it('reads a kind and an id', () => {
    expect(parseMediaUrl('shootline-media://thumb/abc123')).toEqual({ kind: 'thumb', id: 'abc123' });
    expect(parseMediaUrl('shootline-media://variant/v_1-2')).toEqual({ kind: 'variant', id: 'v_1-2' });
  });

  it.each([
    ['a parent segment', 'shootline-media://thumb/../../etc/passwd'],
    ['an encoded parent segment', 'shootline-media://thumb/%2e%2e/%2e%2e/etc/passwd'],
    ['an encoded slash', 'shootline-media://thumb/..%2F..%2Fetc%2Fpasswd'],
    ['an encoded backslash', 'shootline-media://thumb/..%5C..%5Cwindows'],
    ['an absolute path as id', 'shootline-media://thumb//etc/passwd'],
    ['two segments', 'shootline-media://thumb/a/b'],
    ['an unknown kind', 'shootline-media://original/abc'],
    ['another scheme', 'file:///etc/passwd'],
    ['a dot in the id', 'shootline-media://thumb/abc.webp'],
    ['no id', 'shootline-media://thumb/'],
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

describe('mediaFilePath', () => {
  const root = path.resolve('/data/app/media');

  it('maps an id to a file in its kind folder', () => {
    expect(mediaFilePath(root, { kind: 'thumb', id: 'abc' })).toBe(path.join(root, 'thumb', 'abc.webp'));
  });

  it('refuses an id that was not parsed from a URL and carries separators', () => {
    expect(mediaFilePath(root, { kind: 'thumb', id: '../../../etc/passwd' })).toBeNull();
    expect(mediaFilePath(root, { kind: 'thumb', id: '..' })).toBeNull();
  });
});
