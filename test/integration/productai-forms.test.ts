import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createProductaiProvider } from '../../main/engine/providers/productai';
import { startProductaiSandbox, type ProductaiForms } from '../sandbox/productai/server';
import { corpusPath, TEN_PHOTOS } from '../support/corpus';
import { runCrashChild, seedCrashLibrary } from '../support/crash-run';
import { assetsOf, call, startTestEngine, until } from '../support/engine';
import { openQueueLibrary, settled, waitFor } from '../support/queue-harness';
import { S3RVER_ACCESS_KEY_ID, startS3 } from '../support/s3';
import { tempDir } from '../support/temp';

/**
 * ProductAI's doc leaves shapes open; the sandbox answers in each plausible form (its `forms`), and
 * the adapter must read every one: jobs run to variants, out-of-tokens pauses, failures say why.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const KEY = 'pai-forms-key-7c21';
const PHOTOS = TEN_PHOTOS.slice(0, 3);

async function setup(forms: Partial<ProductaiForms>, balance = 1000) {
  const sandbox = await startProductaiSandbox({ apiKeys: [KEY], balance, speed: 400, rateLimit: false, forms });
  cleanups.push(() => sandbox.close());
  const s3 = await startS3();
  cleanups.push(() => s3.close());
  const { engine, dataDir } = startTestEngine({
    stabilityMs: 200,
    providers: [createProductaiProvider({ pollIntervalMs: 30, rateLimit: { requests: 1000, windowMs: 1000 } })],
  });
  await call(engine, 'providers.configure', { provider: 'productai', baseUrl: sandbox.baseUrl });
  await call(engine, 'providers.setKey', { provider: 'productai', key: KEY });
  await call(engine, 'staging.configure', {
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    accessKeyId: S3RVER_ACCESS_KEY_ID,
    secretAccessKey: 'staging-forms-secret',
  });
  const root = path.join(fs.realpathSync(tempDir()), 'Catalogue');
  fs.mkdirSync(path.join(root, 'Spring'), { recursive: true });
  await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null, spendingCap: 1000, autoApprove: true });
  for (const photo of PHOTOS) fs.copyFileSync(corpusPath(photo), path.join(root, 'Spring', path.basename(photo)));
  const assets = await until(
    () => assetsOf(engine),
    (list) => list.length === PHOTOS.length && list.every((asset) => asset.state === 'ok'),
  );
  const recipe = await call(engine, 'recipes.create', {
    name: 'Sunglasses',
    provider: 'productai',
    operation: 'generate',
    params: { model: 'nanobanana', prompt: 'Add sunglasses' },
  });
  const run = () => call(engine, 'recipes.run', { recipeId: recipe.id, assetIds: assets.map((asset) => asset.id) });
  return { engine, dataDir, sandbox, run };
}

const settledJobs = (engine: Parameters<typeof call>[0]) =>
  until(
    async () => (await call(engine, 'jobs.list', {})).jobs,
    (jobs) =>
      jobs.length === PHOTOS.length && jobs.every((job) => ['done', 'failed', 'needs_review'].includes(job.state)),
  );

function ledger(dataDir: string): { kind: string; amount: number }[] {
  const db = new Database(path.join(dataDir, 'shootline.db'), { readonly: true });
  try {
    return db.prepare('SELECT kind, amount FROM credit_ledger ORDER BY id').all() as { kind: string; amount: number }[];
  } finally {
    db.close();
  }
}

describe('ProductAI read in every form its doc leaves open', () => {
  it.each<[string, Partial<ProductaiForms>]>([
    ['the doc’s forms', {}],
    [
      'ids as strings, lower-case statuses, the image in a list',
      { jobId: 'string', statusWords: 'lower', resultUrl: 'array' },
    ],
    [
      'bare jobs, QUEUED/IN_PROGRESS, images as objects',
      { envelope: 'bare', statusWords: 'extended', resultUrl: 'images' },
    ],
    ['charges stated as tokens_used', { charge: 'tokens_used' }],
    ['charges and the balance stated as cost', { charge: 'cost' }],
  ])('turns 3 photos into 3 variants with %s, recording what was charged', async (_label, forms) => {
    const { engine, dataDir, sandbox, run } = await setup(forms);
    await run();
    const jobs = await settledJobs(engine);
    expect(jobs.map((job) => job.state)).toEqual(['done', 'done', 'done']);
    expect(await call(engine, 'variants.list', {})).toHaveLength(3);
    expect(sandbox.violations).toEqual([]);
    const charges = ledger(dataDir).filter((entry) => entry.kind === 'charge');
    expect(charges.map((entry) => entry.amount)).toEqual([3, 3, 3]);
    if (forms.charge === 'cost') {
      const view = (await call(engine, 'providers.list', {})).find((provider) => provider.id === 'productai');
      expect(view?.balance).toBe(sandbox.balance);
    }
  });

  it.each<[string, Partial<ProductaiForms>]>([
    ['the doc’s body with 400', {}],
    ['the same body with 402', { outOfTokens: '402' }],
    ['a 200 saying ERROR', { outOfTokens: 'okError' }],
    ['a nested code with 403', { outOfTokens: 'nested' }],
  ])('pauses ProductAI, not the jobs, when it is out of tokens as %s', async (_label, forms) => {
    const { engine, sandbox, run } = await setup(forms, 1);
    await run();
    const view = await until(
      async () => (await call(engine, 'providers.list', {})).find((provider) => provider.id === 'productai'),
      (provider) => provider?.pausedReason !== null,
    );
    expect(view?.pausedReason).toBe('ProductAI has run out of credits. Top up, then resume it.');
    const jobs = (await call(engine, 'jobs.list', {})).jobs;
    expect(jobs.some((job) => job.state === 'failed')).toBe(false);
    expect(sandbox.violations).toEqual([]);
  });

  it('says why a job failed, in ProductAI’s words', async () => {
    const { engine, sandbox, run } = await setup({ errorDetail: 'error' });
    await sandbox.setFault({ kind: 'job-error', count: 1 });
    await run();
    const jobs = await settledJobs(engine);
    const failed = jobs.find((job) => job.state === 'failed');
    expect(failed?.lastError?.message).toMatch(/^ProductAI: ProductAI could not make this image: .+/);
  });

  it('sends a paid answer it cannot read to review with ProductAI’s words, and notes the charge as possible', async () => {
    const { engine, dataDir, sandbox, run } = await setup({ garbageAfterCharge: true, garbageAfterChargeTimes: 1 });
    await run();
    const jobs = await settledJobs(engine);
    const review = jobs.filter((job) => job.state === 'needs_review');
    expect(review).toHaveLength(1);
    expect(review[0]?.lastError?.message).toBe(
      'ProductAI accepted this job but its answer could not be read, and the work was not found: ProductAI answered 200 with "gateway". Resend (may be charged again) or discard.',
    );
    const entries = ledger(dataDir);
    const definite = entries.filter((entry) => entry.kind === 'charge').reduce((sum, entry) => sum + entry.amount, 0);
    const possible = entries
      .filter((entry) => entry.kind === 'possible_charge')
      .reduce((sum, entry) => sum + entry.amount, 0);
    const billed = sandbox.ledger.reduce((sum, entry) => sum + entry.tokens, 0);
    expect(definite).toBeLessThanOrEqual(billed);
    expect(billed).toBeLessThanOrEqual(definite + possible);
    expect(possible).toBe(3);
  });
});

describe('ProductAI quota across restarts', () => {
  it('a restarted engine resumes inside the window the killed one used: no 429', { timeout: 120_000 }, async () => {
    const rate = { requests: 15, windowMs: 6_000 };
    const sandbox = await startProductaiSandbox({ apiKeys: [KEY], speed: 12, rateLimit: rate });
    cleanups.push(() => sandbox.close());
    const s3 = await startS3();
    cleanups.push(() => s3.close());
    const dir = tempDir('shootline-productai-window-');
    seedCrashLibrary(dir, 'productai', { operation: 'upscale', params: {}, costEstimate: 20 });
    const start = () => {
      const run = runCrashChild([dir, 'productai', sandbox.baseUrl, KEY, '0', s3.endpoint, s3.bucket], {
        SHOOTLINE_TEST_RATE: `${rate.requests}/${rate.windowMs}`,
      });
      cleanups.push(() => run.child.kill('SIGKILL'));
      return run;
    };
    // The first engine spends most of a window, and is killed in the middle of it.
    const first = start();
    await waitFor(
      () => sandbox.requestsCounted >= 12,
      () => `${sandbox.requestsCounted} requests`,
      60_000,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    const second = start();
    expect((await second.exited).output).toContain('settled');
    const check = openQueueLibrary(dir);
    expect(settled(check.db)).toBe(true);
    check.db.close();
    expect(sandbox.totals.rateLimited).toBe(0);
    expect(sandbox.violations).toEqual([]);
  });

  it('probes reachability without spending quota', async () => {
    const sandbox = await startProductaiSandbox({ apiKeys: [KEY], speed: 400, probesCount: true });
    cleanups.push(() => sandbox.close());
    const { probeBaseUrl } = await import('../../main/engine/queue/provider-calls');
    expect(await probeBaseUrl(sandbox.baseUrl, new AbortController().signal)).toBe(true);
    expect(sandbox.requestsCounted).toBe(0);
    await sandbox.close();
    expect(await probeBaseUrl(sandbox.baseUrl, new AbortController().signal)).toBe(false);
  });
});
