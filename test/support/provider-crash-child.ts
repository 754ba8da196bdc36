/**
 * The queue with a real cloud adapter in a child process, for crash tests: runs a library's jobs
 * against that provider's sandbox until every job is settled, and can SIGKILL itself just after
 * the Nth request step was marked as sending (before it leaves).
 *
 *   tsx test/support/provider-crash-child.ts <library dir> <aixpose|productai|aurax|iacrea|aivisualstudio> <sandbox url> <key>
 *       [kill before send #N] [staging endpoint] [staging bucket]
 *
 * AuraX's second header (its key id) comes from SHOOTLINE_TEST_KEY_ID, iacrea's user id from
 * SHOOTLINE_TEST_USER_ID. A job's mask (iacrea's painted area) is the photo's lower half.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { PhotoDecoder } from '../../main/engine/imaging/decode';
import { HeicDecoder } from '../../main/engine/imaging/heic';
import { isTiffBasedRaw, RawPreviewExtractor } from '../../main/engine/imaging/raw-preview';
import { sniffFormat } from '../../main/engine/imaging/sniff';
import { createAixposeProvider } from '../../main/engine/providers/aixpose';
import { createProductaiProvider } from '../../main/engine/providers/productai';
import { createAuraxProvider } from '../../main/engine/providers/aurax';
import { createIacreaProvider } from '../../main/engine/providers/iacrea';
import { createAivsProvider } from '../../main/engine/providers/aivisualstudio';
import { Staging } from '../../main/engine/staging/staging';
import { corpusPath } from './corpus';
import { createRunner, openQueueLibrary, settled, waitFor } from './queue-harness';

/** The photos the crash tests' jobs point at, by asset id. */
export const CRASH_PHOTOS: Record<string, string> = {
  a0: 'photos/storm_canon-400d.jpg',
  a1: 'photos/dune_canon-rebel.jpg',
  a2: 'photos/fog_hp-photosmart735.jpg',
  a3: 'photos/bythewater_nokia-n9.jpg',
  a4: 'photos/grace_hopper.jpg',
  a5: 'photos/cat_grayscale.jpg',
};

if (process.argv[1]?.endsWith('provider-crash-child.ts')) {
  const [dir = '', which = '', url = '', key = '', killBeforeSend = '0', stagingEndpoint = '', bucket = ''] =
    process.argv.slice(2);
  const { db } = openQueueLibrary(dir);
  const heic = new HeicDecoder();
  const raw = new RawPreviewExtractor();
  const decoder = new PhotoDecoder({
    heic,
    raw,
    tempDir: dir,
    isTiffRaw: async (file) => (await isTiffBasedRaw(file)).raw,
  });
  // A rate limit like "15/6000" (requests per window ms) when a test checks windows across restarts.
  const [requests = 1000, windowMs = 1000] = (process.env.SHOOTLINE_TEST_RATE ?? '1000/1000').split('/').map(Number);
  const provider =
    which === 'productai'
      ? createProductaiProvider({ pollIntervalMs: 20, rateLimit: { requests, windowMs } })
      : which === 'aurax'
        ? createAuraxProvider({ pollIntervalMs: 20, streamIdleMs: 1_000 })
        : which === 'iacrea'
          ? createIacreaProvider({ pollIntervalMs: 20 })
          : which === 'aivisualstudio'
            ? createAivsProvider({ pollIntervalMs: 20, rateLimit: { requests, windowMs } })
            : createAixposeProvider({ pollIntervalMs: 20 });
  const secrets: Record<string, string> =
    which === 'aurax'
      ? { key, 'key-id': process.env.SHOOTLINE_TEST_KEY_ID ?? '' }
      : which === 'iacrea'
        ? { key, 'user-id': process.env.SHOOTLINE_TEST_USER_ID ?? '' }
        : { key };
  const staging = stagingEndpoint
    ? new Staging({ endpoint: stagingEndpoint, bucket, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' })
    : null;
  let marked = 0;
  const runner = createRunner(db, dir, [provider], {
    account: () => Promise.resolve({ secrets, origin: new URL(url).origin }),
    baseUrl: () => url,
    stage: (_jobId) =>
      staging
        ? async (bytes, contentType) =>
            (await staging.stage(createHash('sha256').update(bytes).digest('hex'), bytes, contentType)).url
        : null,
    inputs: {
      image: async (ref) => {
        if (ref.kind !== 'asset') throw new Error('photos only');
        const file = corpusPath(CRASH_PHOTOS[ref.assetId] ?? '');
        const bytes = fs.readFileSync(file);
        const sniffed = sniffFormat(bytes);
        if (!sniffed.ok) throw new Error(sniffed.message);
        const opened = await decoder.open(file, bytes, sniffed.format);
        if (!opened.ok) throw new Error(opened.error.message);
        return { ref, ...opened.photo };
      },
      mask: (_ref, width, height) => {
        const levels = new Uint8Array(width * height);
        levels.fill(255, Math.floor(height / 2) * width);
        return Promise.resolve(levels);
      },
      variant: () => Promise.reject(new Error('no variants')),
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
