import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../main/headless/data-dir';

describe('defaultDataDir', () => {
  it("matches Electron's userData for an app named Shootline", () => {
    expect(defaultDataDir('linux', {}, '/home/ana')).toBe(path.join('/home/ana', '.config', 'Shootline'));
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/cfg' }, '/home/ana')).toBe(path.join('/cfg', 'Shootline'));
    expect(defaultDataDir('darwin', {}, '/Users/ana')).toBe(
      path.join('/Users/ana', 'Library', 'Application Support', 'Shootline'),
    );
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, 'C:\\Users\\ana')).toBe(
      path.join('C:\\Users\\ana\\AppData\\Roaming', 'Shootline'),
    );
  });
});
