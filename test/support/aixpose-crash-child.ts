/**
 * The queue with the real AIXpose adapter in a child process, for crash tests: runs a library's
 * jobs against the sandbox until every job is settled, and can SIGKILL itself just after the Nth
 * request step was marked as sending (before it leaves).
 *
 *   tsx test/support/aixpose-crash-child.ts <library dir> <sandbox url> <key> [kill before send #N]
 */
import fs from 'node:fs';
import { PhotoDecoder } from '../../main/engine/imaging/decode';
import { HeicDecoder } from '../../main/engine/imaging/heic';
import { isTiffBasedRaw, RawPreviewExtractor } from '../../main/engine/imaging/raw-preview';
import { sniffFormat } from '../../main/engine/ingest/sniff';
import { createAixposeProvider } from '../../main/engine/providers/aixpose';
import { corpusPath } from './corpus';
import { createRunner, openQueueLibrary, settled, waitFor } from './queue-harness';

/** The photos the crash test's jobs point at, by asset id. */
export const CRASH_PHOTOS: Record<string, string> = {
  a0: 'photos/storm_canon-400d.jpg',
  a1: 'photos/dune_canon-rebel.jpg',
  a2: 'photos/fog_hp-photosmart735.jpg',
  a3: 'photos/bythewater_nokia-n9.jpg',
  a4: 'photos/grace_hopper.jpg',
  a5: 'photos/cat_grayscale.jpg',
};

if (process.argv[1]?.endsWith('aixpose-crash-child.ts')) {
  const [dir = '', url = '', key = '', killBeforeSend = '0'] = process.argv.slice(2);
  const { db } = openQueueLibrary(dir);
  const heic = new HeicDecoder();
  const raw = new RawPreviewExtractor();
  const decoder = new PhotoDecoder({
    heic,
    raw,
    tempDir: dir,
    isTiffRaw: async (file) => (await isTiffBasedRaw(file)).raw,
  });
  let marked = 0;
  const runner = createRunner(db, dir, [createAixposeProvider({ pollIntervalMs: 20 })], {
    apiKey: () => Promise.resolve(key),
    baseUrl: () => url,
    inputs: {
      photo: async (assetId) => {
        const file = corpusPath(CRASH_PHOTOS[assetId] ?? '');
        const bytes = fs.readFileSync(file);
        const sniffed = sniffFormat(bytes);
        if (!sniffed.ok) throw new Error(sniffed.message);
        const opened = await decoder.open(file, bytes, sniffed.format);
        if (!opened.ok) throw new Error(opened.error.message);
        return { assetId, version: 1, ...opened.photo };
      },
      mask: () => Promise.reject(new Error('no masks')),
    },
    hooks: {
      afterStepMarkedSending: () => {
        marked += 1;
        if (marked === Number(killBeforeSend)) process.kill(process.pid, 'SIGKILL');
      },
    },
  });
  runner.start();
  await waitFor(
    () => settled(db),
    () => 'not settled',
    120_000,
  );
  await runner.stop();
  await raw.end();
  await heic.close();
  db.close();
  process.stdout.write('settled\n');
}
