import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeWriteError, ExportWriteError, writeFileAtomic } from '../../main/engine/export/atomic-write';
import { tempDir } from '../support/temp';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Everything in a folder, hidden temp files included. */
function entries(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

async function writeError(promise: Promise<unknown>): Promise<ExportWriteError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ExportWriteError);
    return error as ExportWriteError;
  }
  throw new Error('the write was expected to fail');
}

describe('atomic write', () => {
  it('writes the whole file under its final name, creating the folder, and leaves no temp file', async () => {
    const dir = path.join(tempDir(), 'Fotó café 写真', 'Listing');
    const file = path.join(dir, 'Fotó café 写真_01.jpg');
    const bytes = Buffer.alloc(300_000, 7);
    await writeFileAtomic(file, bytes);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(entries(dir)).toEqual(['Fotó café 写真_01.jpg']);
  });

  it('never replaces an existing file unless told to, and replaces it whole when told', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'a.jpg');
    fs.writeFileSync(file, 'the photographer’s own edit');
    const error = await writeError(writeFileAtomic(file, Buffer.from('export')));
    expect(error.reason).toBe('exists');
    expect(error.code).toBe('conflict');
    expect(fs.readFileSync(file, 'utf8')).toBe('the photographer’s own edit');
    expect(entries(dir)).toEqual(['a.jpg']);

    await writeFileAtomic(file, Buffer.from('export'), { overwrite: true });
    expect(fs.readFileSync(file, 'utf8')).toBe('export');
    expect(entries(dir)).toEqual(['a.jpg']);
  });

  it('maps a full disk (a real ENOSPC from /dev/full) to a clear message and removes the partial temp file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'big.tif');
    const error = await writeError(
      writeFileAtomic(file, Buffer.alloc(1 << 20, 1), {
        // The temp file is created where it belongs; its bytes go to /dev/full, which answers ENOSPC.
        openTemp: async (temp) => {
          fs.writeFileSync(temp, 'partial');
          return fs.promises.open('/dev/full', 'w');
        },
      }),
    );
    expect(error.reason).toBe('disk_full');
    expect(error.message).toBe(
      `The disk holding ${dir} is full. Free some space there, or choose another export folder, then export again.`,
    );
    expect(entries(dir)).toEqual([]);
  });

  it('maps a folder it may not write to (a real EACCES from a chmod 0500 folder) to a clear message', () => {
    const dir = tempDir();
    fs.chmodSync(dir, 0o755);
    const locked = path.join(dir, 'locked');
    fs.mkdirSync(locked, { mode: 0o500 });
    fs.chmodSync(locked, 0o500);
    // Root ignores folder permissions, so as root the write runs in a child process as "nobody".
    const asRoot = process.getuid?.() === 0;
    const script = path.join(dir, 'write.mts');
    fs.writeFileSync(
      script,
      [
        `import { writeFileAtomic } from ${JSON.stringify(path.join(ROOT, 'main/engine/export/atomic-write.ts'))};`,
        `try { await writeFileAtomic(${JSON.stringify(path.join(locked, 'a.jpg'))}, Buffer.from('x')); console.log('{}'); }`,
        `catch (error) { console.log(JSON.stringify({ reason: error.reason, message: error.message })); }`,
      ].join('\n'),
    );
    fs.chmodSync(script, 0o644);
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: ROOT,
      encoding: 'utf8',
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      env: { ...process.env, HOME: dir },
    });
    expect(child.status, child.stderr).toBe(0);
    const outcome = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { reason?: string; message?: string };
    expect(outcome.reason).toBe('not_permitted');
    expect(outcome.message).toContain(`Shootline may not write to ${locked}.`);
    fs.chmodSync(locked, 0o700);
    expect(entries(locked)).toEqual([]);
  });

  it('says what to do for each file system error', () => {
    const folder = '/Volumes/Card/Export';
    const reason = (code: string) => describeWriteError(Object.assign(new Error(code), { code }), folder).reason;
    expect(reason('ENOSPC')).toBe('disk_full');
    expect(reason('EDQUOT')).toBe('disk_full');
    expect(reason('EACCES')).toBe('not_permitted');
    expect(reason('EPERM')).toBe('not_permitted');
    expect(reason('EROFS')).toBe('read_only');
    expect(reason('ENOENT')).toBe('folder_missing');
    expect(reason('ENAMETOOLONG')).toBe('name_too_long');
    expect(reason('EBUSY')).toBe('in_use');
    expect(reason('EIO')).toBe('io_error');
    expect(describeWriteError(Object.assign(new Error('x'), { code: 'EROFS' }), folder).message).toContain(
      `${folder} is on a disk that cannot be written to`,
    );
    expect(describeWriteError(Object.assign(new Error('x'), { code: 'EPERM' }), folder).message).toMatch(
      /^Shootline may not write to \/Volumes\/Card\/Export\./,
    );
  });
});
