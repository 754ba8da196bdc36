import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lockNavigation } from '../../main/app/navigation';

type Listener = (event: { preventDefault(): void; defaultPrevented?: boolean }, url: string) => void;

function fakeContents() {
  const listeners = new Map<string, Listener>();
  let openHandler: ((details: { url: string }) => { action: string }) | undefined;
  return {
    contents: {
      on: (name: string, listener: Listener) => {
        listeners.set(name, listener);
      },
      setWindowOpenHandler: (handler: (details: { url: string }) => { action: string }) => {
        openHandler = handler;
      },
    },
    fire(name: string, url: string): boolean {
      let prevented = false;
      listeners.get(name)?.({ preventDefault: () => (prevented = true) }, url);
      return prevented;
    },
    open(url: string) {
      return openHandler?.({ url });
    },
  };
}

describe('lockNavigation', () => {
  const entry = pathToFileURL('/app/out/renderer/index.html').href;

  it('stops navigation away from the app and allows in-app hash changes', () => {
    const fake = fakeContents();
    const opened: string[] = [];
    lockNavigation(fake.contents as never, entry, (url) => opened.push(url));
    expect(fake.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(fake.fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(fake.fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(fake.fire('will-navigate', `${entry}#/settings`)).toBe(false);
    expect(fake.fire('will-attach-webview', 'about:blank')).toBe(true);
  });

  it('denies every new window and hands only https links to listed hosts to the browser', () => {
    const fake = fakeContents();
    const opened: string[] = [];
    lockNavigation(fake.contents as never, entry, (url) => opened.push(url));
    for (const url of [
      'https://aixpose.art/pricing',
      'https://www.productai.photo/dashboard',
      'https://shootline.app/help',
      'https://aixpose.example/pricing',
      'http://aixpose.art/pricing',
      'https://aixpose.art.evil.example/',
      'https://user:pass@aixpose.art/',
      'https://aixpose.art:8443/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'ms-settings:privacy',
      'https://shootline.app\\@evil.example/',
      'https://SHOOTLINE.APP./x',
    ]) {
      expect(fake.open(url), url).toEqual({ action: 'deny' });
    }
    // What the OS gets is the parsed link: a backslash is a path separator, never a way to another host.
    expect(opened).toEqual([
      'https://aixpose.art/pricing',
      'https://www.productai.photo/dashboard',
      'https://shootline.app/help',
      'https://shootline.app/@evil.example/',
    ]);
  });
});
