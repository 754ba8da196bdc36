import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogFile } from '../../main/engine/log-file';
import { tempDir } from '../support/temp';

const read = (dir: string, name = 'shootline.log'): string => fs.readFileSync(path.join(dir, name), 'utf8');

describe('createLogFile', () => {
  it('holds early lines until opened, then appends across runs', async () => {
    const dir = path.join(tempDir(), 'logs');
    const first = createLogFile(dir);
    first.write('before the lock');
    expect(fs.existsSync(path.join(dir, 'shootline.log'))).toBe(false);
    first.open();
    first.write('one');
    await first.close();
    const second = createLogFile(dir);
    second.open();
    second.write('two');
    await second.close();
    expect(read(dir)).toBe('before the lock\none\ntwo\n');
    expect(fs.statSync(path.join(dir, 'shootline.log')).mode & 0o777).toBe(0o600);
  });

  it('never touches the file when it is not opened (a second instance that was refused)', async () => {
    const dir = path.join(tempDir(), 'logs');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'shootline.log'), 'x'.repeat(5 * 1024 * 1024 + 1));
    const refused = createLogFile(dir);
    refused.write('would rotate');
    await refused.close();
    expect(fs.existsSync(path.join(dir, 'shootline.1.log'))).toBe(false);
    expect(fs.statSync(path.join(dir, 'shootline.log')).size).toBe(5 * 1024 * 1024 + 1);
  });

  it('keeps one previous file once the log passes 5 MB', async () => {
    const dir = path.join(tempDir(), 'logs');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'shootline.log'), `old\n${'x'.repeat(5 * 1024 * 1024)}`);
    const log = createLogFile(dir);
    log.open();
    log.write('new');
    await log.close();
    expect(read(dir)).toBe('new\n');
    expect(read(dir, 'shootline.1.log').startsWith('old\n')).toBe(true);
  });

  it('reports a disk error and keeps going instead of crashing', async () => {
    const parent = tempDir();
    const blocker = path.join(parent, 'logs');
    fs.writeFileSync(blocker, 'a file where the logs folder should be');
    const errors: string[] = [];
    const log = createLogFile(blocker, (error) => errors.push(error.message));
    log.open();
    log.write('lost, not fatal');
    await log.close();
    expect(errors.length).toBe(1);
  });
});
