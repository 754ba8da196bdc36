import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isAppUrl, isTrustedSender } from '../../main/app/sender';

const entry = pathToFileURL('/opt/Shootline/resources/app.asar/out/renderer/index.html').href;
const trusted = new Set([7]);

describe('isTrustedSender', () => {
  it('trusts the top frame of our window showing our page', () => {
    expect(isTrustedSender({ senderId: 7, frame: { url: entry, isTopFrame: true } }, trusted, entry)).toBe(true);
    expect(isTrustedSender({ senderId: 7, frame: { url: `${entry}#/queue`, isTopFrame: true } }, trusted, entry)).toBe(
      true,
    );
  });

  it.each([
    ['another webContents', { senderId: 8, frame: { url: entry, isTopFrame: true } }],
    ['a sub-frame of our page', { senderId: 7, frame: { url: entry, isTopFrame: false } }],
    ['a frame that is gone', { senderId: 7, frame: null }],
    [
      'our window after navigating to a web page',
      { senderId: 7, frame: { url: 'https://evil.example/', isTopFrame: true } },
    ],
    [
      'the same path on another host (a network share)',
      { senderId: 7, frame: { url: entry.replace('file:///', 'file://fileserver/'), isTopFrame: true } },
    ],
    [
      'another local file',
      { senderId: 7, frame: { url: pathToFileURL('/tmp/downloaded.html').href, isTopFrame: true } },
    ],
  ])('refuses %s', (_label, facts) => {
    expect(isTrustedSender(facts, trusted, entry)).toBe(false);
  });
});

describe('isAppUrl with a dev server', () => {
  const dev = 'http://localhost:5173/';
  it('compares origins', () => {
    expect(isAppUrl('http://localhost:5173/index.html', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('http://localhost.evil.example:5173/', dev)).toBe(false);
    expect(isAppUrl('not a url', dev)).toBe(false);
  });
});

describe('isAppUrl with the app scheme', () => {
  const app = 'shootline-app://app/index.html';
  it('accepts pages of the app and nothing that only shares the opaque origin', () => {
    expect(isAppUrl('shootline-app://app/index.html#/queue', app)).toBe(true);
    expect(isAppUrl('shootline-app://app/', app)).toBe(true);
    expect(isAppUrl('shootline-app://other/index.html', app)).toBe(false);
    expect(isAppUrl('shootline-media://app/index.html', app)).toBe(false);
    expect(isAppUrl('evil-scheme://app/index.html', app)).toBe(false);
    expect(isAppUrl('javascript:alert(1)', app)).toBe(false);
    // Both have the origin "null" to a URL parser: the check must not rest on it.
    expect(new URL('evil-scheme://x/').origin).toBe(new URL(app).origin);
  });
});
