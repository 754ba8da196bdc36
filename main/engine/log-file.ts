import fs from 'node:fs';
import path from 'node:path';

export const LOG_FILE = 'shootline.log';
const ROTATE_AT_BYTES = 5 * 1024 * 1024;

/**
 * A line sink appending to `<dir>/shootline.log`, where "the details are in the log" points. The
 * previous file is kept as shootline.1.log once it passes 5 MB, checked at open, so the log never
 * grows without bound across runs. Lines reach this sink already redacted.
 */
export function openLogFile(dir: string): { write: (line: string) => void; close: () => Promise<void> } {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOG_FILE);
  try {
    if (fs.statSync(file).size > ROTATE_AT_BYTES) fs.renameSync(file, path.join(dir, 'shootline.1.log'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const stream = fs.createWriteStream(file, { flags: 'a', mode: 0o600 });
  return {
    write: (line) => {
      stream.write(`${line}\n`);
    },
    close: () => new Promise((resolve) => stream.end(resolve)),
  };
}
