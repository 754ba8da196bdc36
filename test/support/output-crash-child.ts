/**
 * A queue whose one provider makes two known outputs (one in memory, one as a downloaded file),
 * killing itself with SIGKILL right after the job is written as fetched: what the output store
 * wrote must be whole on disk by then.
 *
 *   tsx test/support/output-crash-child.ts <library dir>
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { stubProvider } from './stub-provider';
import type { ProviderModule } from '../../main/engine/providers/contract';
import { createRunner, enqueue, openQueueLibrary, waitFor } from './queue-harness';

/** The two outputs' bytes: 4 MB each, so a write cut short could not pass for whole. */
export function knownOutput(index: number): Buffer {
  const bytes = Buffer.alloc(4 * 1024 * 1024);
  for (let at = 0; at < bytes.length; at += 32) createHash('sha256').update(`${index}:${at}`).digest().copy(bytes, at);
  return bytes;
}

if (process.argv[1]?.endsWith('output-crash-child.ts')) {
  const [dir = ''] = process.argv.slice(2);
  const { db, shootId } = openQueueLibrary(dir);
  const maker: ProviderModule = {
    ...stubProvider({ id: 'maker', name: 'Maker', baseUrl: null, paid: false }),
    pollIntervalMs: 1,
    estimateCost: () => ({ credits: 0 }),
    submit: () => Promise.resolve({ remote: { id: 'made' } }),
    poll: () =>
      Promise.resolve({
        status: 'done',
        outputs: [
          { index: 0, kind: 'image' },
          { index: 1, kind: 'image' },
        ],
      }),
    fetchOutputs: (context) => {
      const downloaded = context.tempFile('.png');
      fs.writeFileSync(downloaded, knownOutput(1));
      return Promise.resolve([
        { index: 0, kind: 'image', mimeType: 'image/png', bytes: knownOutput(0) },
        { index: 1, kind: 'image', mimeType: 'image/png', file: downloaded },
      ]);
    },
  };
  enqueue(db, shootId, 'maker', 1);
  const runner = createRunner(db, dir, [maker], {
    hooks: { afterFetched: () => process.kill(process.pid, 'SIGKILL') },
  });
  runner.start();
  await waitFor(
    () => false,
    () => 'the hook should have killed this process',
    30_000,
  );
}
