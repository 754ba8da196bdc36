import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** s3rver knows one account; it checks the access key ID but not SigV4 signatures. */
export const S3RVER_ACCESS_KEY_ID = 'S3RVER';

/**
 * A real S3-compatible store on loopback (s3rver) with one bucket, in a temp folder. It runs in a
 * process of its own that survives s3rver's own uncaught errors (see s3-process.mjs): s3rver reads
 * an object's file again after some answers, and a DELETE right after a GET (a staged copy released
 * the moment its job ends) then throws inside s3rver — in the test's process an uncaught error of
 * the test run, and in a process that died of it, every later upload refused.
 */
export async function startS3(bucket = 'shootline-staging'): Promise<{
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps the objects, to check what is (or is no longer) stored. */
  directory: string;
  close: () => Promise<void>;
}> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-s3rver-'));
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 's3-process.mjs'), directory, bucket], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /port (\d+)/.exec(output);
      if (match?.[1]) resolve(Number(match[1]));
    });
    void exited.then(() => reject(new Error(`s3rver stopped before it listened: ${errors}`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    directory,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
