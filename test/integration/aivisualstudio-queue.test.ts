import { afterEach, describe, expect, it } from 'vitest';
import { AIVS_ID } from '../../main/engine/providers/aivisualstudio';
import { aivsEngine, chargesRecorded, generate, sandboxCharged } from '../support/aivisualstudio';
import { corpusPath } from '../support/corpus';
import { call, until } from '../support/engine';
import { enhanced, ingested } from '../support/exports';
import { jobsEnded } from '../support/iacrea';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('AI Visual Studio through the real queue, against its sandbox', () => {
  it('12 images and 2 videos (one from a local variant, staged on s3rver): every output saved, charged as the sandbox charged', async () => {
    const setup = await aivsEngine(cleanups, { staging: true, sandbox: { credits: 5_000 } });
    const { engine, dataDir, sandbox, shootId } = setup;
    // The models are the price list: loaded once, then every estimate uses the listed price.
    const catalog = await call(engine, 'providers.catalog', { provider: AIVS_ID, refresh: true });
    expect(catalog.entries.find((entry) => entry.id === 'black-forest-labs/flux-1.1-pro')?.credits).toBe(12);

    const turbo = await generate(setup, 'image', { prompt: 'A quiet harbour at dawn', aspectRatio: '3:2' }, 6);
    const flux = await generate(
      setup,
      'image',
      { prompt: 'A loft with tall windows', model: 'black-forest-labs/flux-1.1-pro', outputFormat: 'png' },
      6,
    );
    expect(turbo.totalEstimate).toBe(30);
    expect(flux.totalEstimate).toBe(72);
    const video = await generate(setup, 'video', { prompt: 'Waves rolling in', duration: 3 });

    // A local result of a real photo, animated: its first frame travels as a staged URL.
    const [photo] = await ingested(engine, [corpusPath('photos/grace_hopper.jpg')], 'Portraits');
    const [variant] = await enhanced(engine, [photo?.id ?? '']);
    const animate = await call(engine, 'operations.run', {
      provider: AIVS_ID,
      operation: 'animate',
      params: { prompt: 'She turns towards the camera', duration: 2, aspectRatio: '1:1' },
      variantIds: [variant?.id ?? ''],
      approve: true,
    });
    expect(animate.totalEstimate).toBe(450);

    const ids = [...turbo.jobIds, ...flux.jobIds, ...video.jobIds, ...animate.jobIds];
    const jobs = await jobsEnded(engine, ids);
    expect(jobs.map((job) => job.state)).toEqual(ids.map(() => 'done'));

    const variants = await call(engine, 'variants.list', {});
    const made = variants.filter((candidate) => ids.includes(candidate.jobId));
    expect(made.filter((candidate) => candidate.kind === 'image')).toHaveLength(12);
    expect(made.filter((candidate) => candidate.kind === 'video')).toHaveLength(2);
    for (const job of jobs) {
      const generation = sandbox.generation(job.remoteId ?? '');
      expect(generation?.state).toBe('completed');
      // What the answer said was charged is what the job records.
      expect(job.costCharged).toBe(generation?.creditsCharged);
    }
    expect(made.filter((candidate) => candidate.jobId === flux.jobIds[0])[0]?.mimeType).toBe('image/png');
    // The video's facts, read from its file: what the compare view shows and steps frames by.
    const clip = made.find((candidate) => candidate.jobId === video.jobIds[0]);
    expect(await call(engine, 'variants.videoInfo', { id: clip?.id ?? '' })).toEqual({
      codec: 'avc1.42C01E',
      codecLabel: 'H.264 Constrained Baseline, level 3.0',
      width: 256,
      height: 144,
      durationMs: 3000,
      frameRate: 2,
    });

    const animated = sandbox.generation(jobs.find((job) => job.id === animate.jobIds[0])?.remoteId ?? '');
    expect(animated?.firstFrame).toMatchObject({ format: 'jpeg', width: variant?.width, height: variant?.height });

    // The engine's ledger equals the sandbox's, charge by charge.
    const recorded = chargesRecorded(dataDir).filter((entry) => entry.kind === 'charge');
    expect(recorded.reduce((sum, entry) => sum + entry.amount, 0)).toBe(sandboxCharged(sandbox));
    expect(recorded).toHaveLength(14);
    expect(sandboxCharged(sandbox)).toBe(6 * 5 + 6 * 12 + 450 + 450);
    expect(sandbox.violations).toEqual([]);
    const [budget] = await call(engine, 'budgets.list', { shootId });
    expect(budget).toMatchObject({ provider: AIVS_ID });
  }, 180_000);

  it('a price changed since the catalog was read: credits_charged is believed over the estimate', async () => {
    const setup = await aivsEngine(cleanups);
    const { engine, sandbox } = setup;
    // Setting the key read the price list; once that read is answered, it is read again here.
    await until(
      () => Promise.resolve(sandbox.requests.filter((request) => request.route === 'models')),
      (reads) => reads.length >= 1 && reads.every((request) => request.outcome === 'answered'),
    );
    const catalog = await call(engine, 'providers.catalog', { provider: AIVS_ID, refresh: true });
    expect(catalog.entries.find((entry) => entry.id === 'prunaai/z-image-turbo')?.credits).toBe(5);
    sandbox.setPrice('prunaai/z-image-turbo', 3);
    const run = await generate(setup, 'image', { prompt: 'A red door' });
    expect(run.totalEstimate).toBe(5);
    const [job] = await jobsEnded(engine, run.jobIds);
    expect(job?.state).toBe('done');
    expect(job?.costCharged).toBe(3);
    expect(sandboxCharged(sandbox)).toBe(3);
  }, 60_000);

  it('a model the price list does not name waits for approval at the dearest known price', async () => {
    const setup = await aivsEngine(cleanups);
    const run = await call(setup.engine, 'shoots.runOperation', {
      shootId: setup.shootId,
      provider: AIVS_ID,
      operation: 'image',
      params: { prompt: 'A blue door', model: 'acme/new-model' },
    });
    expect(run.awaitingApproval).toBe(1);
    expect(setup.sandbox.requests.filter((request) => request.route === 'generate/image')).toEqual([]);
  }, 60_000);
});
