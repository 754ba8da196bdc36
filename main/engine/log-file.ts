import fs from 'node:fs';
import path from 'node:path';

export const LOG_FILE = 'shootline.log';
const ROTATE_AT_BYTES = 5 * 1024 * 1024;
const MAX_EARLY_LINES = 1000;

export interface LogFile {
  /** Takes a line (already redacted). Lines written before `open` are held and written at open. */
  write: (line: string) => void;
  /** Starts writing to disk. Call it only once this process owns the data dir (after the engine lock). */
  open: () => void;
  close: () => Promise<void>;
}

/**
 * The sink behind "the details are in the log": `<dir>/shootline.log`, with the previous file kept
 * as shootline.1.log once it passes 5 MB (checked at open), so the log never grows without bound.
 * It opens only after the engine holds the data-dir lock: a second instance that is about to be
 * refused must not rotate the file the running one writes to. A disk error disables the file (the
 * console still gets every line) instead of crashing the app.
 */
export function createLogFile(dir: string, onError: (error: Error) => void = () => undefined): LogFile {
  const early: string[] = [];
  let stream: fs.WriteStream | null = null;
  let failed = false;

  return {
    write: (line) => {
      if (failed) return;
      if (stream) stream.write(`${line}\n`);
      else if (early.length < MAX_EARLY_LINES) early.push(line);
    },
    open: () => {
      if (stream || failed) return;
      const file = path.join(dir, LOG_FILE);
      try {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        if (fs.existsSync(file) && fs.statSync(file).size > ROTATE_AT_BYTES) {
          fs.renameSync(file, path.join(dir, 'shootline.1.log'));
        }
      } catch (error) {
        failed = true;
        onError(error as Error);
        return;
      }
      stream = fs.createWriteStream(file, { flags: 'a', mode: 0o600 });
      stream.on('error', (error) => {
        failed = true;
        onError(error);
      });
      for (const line of early.splice(0)) stream.write(`${line}\n`);
    },
    close: () =>
      new Promise((resolve) => {
        early.length = 0;
        if (!stream || failed) resolve();
        else stream.end(resolve);
      }),
  };
}
