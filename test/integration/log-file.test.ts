import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLogFile } from '../../main/engine/log-file';
import { tempDir } from '../support/temp';

describe('openLogFile', () => {
  it('appends across runs and keeps one previous file once the log passes 5 MB', async () => {
    const dir = path.join(tempDir(), 'logs');
    const first = openLogFile(dir);
    first.write('one');
    await first.close();
    const second = openLogFile(dir);
    second.write('two');
    await second.close();
    expect(fs.readFileSync(path.join(dir, 'shootline.log'), 'utf8')).toBe('one\ntwo\n');

    fs.appendFileSync(path.join(dir, 'shootline.log'), 'x'.repeat(5 * 1024 * 1024));
    const third = openLogFile(dir);
    third.write('three');
    await third.close();
    expect(fs.readFileSync(path.join(dir, 'shootline.log'), 'utf8')).toBe('three\n');
    expect(fs.readFileSync(path.join(dir, 'shootline.1.log'), 'utf8').startsWith('one\ntwo\n')).toBe(true);
    if (process.platform !== 'win32') expect(fs.statSync(path.join(dir, 'shootline.log')).mode & 0o777).toBe(0o600);
  });
});
