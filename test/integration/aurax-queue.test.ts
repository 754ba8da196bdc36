import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { AURAX_ID } from '../../main/engine/providers/aurax';
import { maskForAurax } from '../../main/engine/providers/aurax/mask';
import { renderMask } from '../../main/engine/masks/render-mask';
import { MaskContentSchema } from '../../shared/mask';
import { formatAmount } from '../../shared/providers';
import { startAuraxSandbox } from '../sandbox/aurax/server';
import { corpusPath } from '../support/corpus';
import { assetsOf, call, until } from '../support/engine';
import { engineWithAurax } from '../support/aurax';
import { tempDir } from '../support/temp';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const PERSONS = ['photos/grace_hopper.jpg', 'photos/dune_canon-rebel.jpg', 'photos/fog_hp-photosmart735.jpg'];
const GARMENTS = ['photos/colorfulcups_sony-nex3n_gps_srgb.jpg', 'photos/cat_grayscale.jpg'];

/** The engine with AuraX pointed at the sandbox (both headers set), and a shoot of persons and garments. */
async function setup(credits = 100) {
  const sandbox = await startAuraxSandbox({ credits, speed: 100 });
  cleanups.push(() => sandbox.close());
  const { engine } = await engineWithAurax(sandbox, { pollIntervalMs: 50, streamIdleMs: 2_000 });
  const root = path.join(fs.realpathSync(tempDir()), 'Studio');
  fs.mkdirSync(path.join(root, 'Spring looks'), { recursive: true });
  await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null, spendingCap: 1000, autoApprove: true });
  const files = [...PERSONS, ...GARMENTS];
  for (const file of files) fs.copyFileSync(corpusPath(file), path.join(root, 'Spring looks', path.basename(file)));
  const assets = await until(
    () => assetsOf(engine),
    (list) => list.length === files.length && list.every((asset) => asset.state === 'ok'),
  );
  const byName = (file: string) => assets.find((asset) => asset.relativePath.endsWith(path.basename(file)));
  return {
    engine,
    sandbox,
    shootId: assets[0]?.shootId ?? '',
    persons: PERSONS.map((file) => byName(file)?.id ?? ''),
    garments: GARMENTS.map((file) => byName(file)?.id ?? ''),
  };
}

async function allDone(engine: Parameters<typeof call>[0], count: number) {
  return until(
    async () => (await call(engine, 'jobs.list', {})).jobs,
    (jobs) => jobs.length === count && jobs.every((job) => job.state === 'done'),
    90_000,
  );
}

describe('AuraX through the real queue, against the sandbox', () => {
  it('3 persons × 2 garments make 6 try-ons for 18 credits, each knowing its person and garment; a painted mask is sent', async () => {
    const { engine, sandbox, persons, garments } = await setup();
    // The first person has a garment-area mask: its jobs send it, at the size the person is sent at.
    const mask = await call(engine, 'masks.save', {
      assetId: persons[0] ?? '',
      purpose: 'tryon',
      content: { width: 512, height: 600, strokes: [{ points: [{ x: 256, y: 400 }], size: 300, mode: 'paint' }] },
    });
    const recipe = await call(engine, 'recipes.create', {
      name: 'Try on',
      provider: AURAX_ID,
      operation: 'tryon',
      params: { productType: 'GARMENT', garmentStrength: 2 },
    });
    let estimate = 0;
    for (const garment of garments) {
      const run = await call(engine, 'recipes.run', {
        recipeId: recipe.id,
        assetIds: persons,
        garment: { kind: 'asset', id: garment },
      });
      estimate += run.totalEstimate;
    }
    expect(estimate).toBe(18);
    const jobs = await allDone(engine, 6);
    const variants = await call(engine, 'variants.list', {});
    expect(variants.filter((variant) => variant.kind === 'image')).toHaveLength(6);
    // Each result belongs to its person and remembers its garment.
    const pairs = variants.map((variant) => {
      const job = jobs.find((candidate) => candidate.id === variant.jobId);
      return `${variant.assetId}+${job?.inputs.garment?.kind === 'asset' ? job.inputs.garment.assetId : ''}`;
    });
    expect(new Set(pairs)).toEqual(
      new Set(persons.flatMap((person) => garments.map((garment) => `${person}+${garment}`))),
    );
    // Charged 6 × 3 at the sandbox, exactly once each.
    expect(sandbox.ledger.map((entry) => entry.credits)).toEqual([3, 3, 3, 3, 3, 3]);
    // The mask sent is the version the jobs pinned, rendered at the size the person was sent at, byte for byte.
    const masked = sandbox.tasks().filter((task) => task.input.mask);
    expect(masked).toHaveLength(2);
    const pinned = await call(engine, 'masks.version', { id: mask.id, version: 1 });
    for (const task of masked) {
      const { width = 0, height = 0 } = task.input.person ?? {};
      expect(task.input.mask).toMatchObject({ format: 'png', width, height });
      const expected = await maskForAurax(
        await renderMask(MaskContentSchema.parse(pinned.content), width, height),
        width,
        height,
      );
      expect(Buffer.from(task.input.mask?.bytes ?? []).equals(Buffer.from(expected, 'base64'))).toBe(true);
      // White is the garment area: the painted stroke (around 256, 400 on the 512 × 600 photo) is white, the rest black.
      const pixels = await sharp(Buffer.from(task.input.mask?.bytes ?? []))
        .extractChannel(0)
        .raw()
        .toBuffer();
      expect(pixels[400 * width + 256]).toBe(255);
      expect(pixels[10 * width + 10]).toBe(0);
    }
    expect(sandbox.violations).toEqual([]);
    // The status came by the stream.
    expect(sandbox.counters.streamsOpened).toBeGreaterThan(0);
  }, 120_000);

  it('makes 4 product images at 1024 × 1024 from a prompt, and 3 descriptions for 0.75 credits', async () => {
    const { engine, sandbox, shootId, persons } = await setup();
    for (let index = 0; index < 4; index++) {
      await call(engine, 'shoots.runOperation', {
        shootId,
        provider: AURAX_ID,
        operation: 'generate',
        params: { prompt: 'A linen summer dress on a white background', productType: 'DRESS' },
      });
    }
    const describe = await call(engine, 'recipes.create', {
      name: 'Describe',
      provider: AURAX_ID,
      operation: 'describe',
      params: { productType: 'GARMENT' },
    });
    const run = await call(engine, 'recipes.run', { recipeId: describe.id, assetIds: persons });
    expect(run.totalEstimate).toBe(0.75);
    expect(formatAmount(run.totalEstimate, { one: 'credit', many: 'credits', fractionDigits: 2 })).toBe('0.75 credits');
    await allDone(engine, 7);
    const variants = await call(engine, 'variants.list', {});
    const images = variants.filter((variant) => variant.kind === 'image');
    expect(images).toHaveLength(4);
    for (const image of images) {
      const file = (await engine.resolveMedia({ kind: 'variant', id: image.mediaId }))?.file ?? '';
      expect(await sharp(file).metadata()).toMatchObject({ width: 1024, height: 1024 });
    }
    const texts = variants.filter((variant) => variant.kind === 'text');
    expect(texts).toHaveLength(3);
    expect(new Set(texts.map((text) => text.assetId))).toEqual(new Set(persons));
    const descriptions = sandbox.ledger.filter((entry) => entry.endpoint === 'product-description');
    expect(descriptions.reduce((sum, entry) => sum + entry.quarters, 0)).toBe(3);
    expect(sandbox.ledger.filter((entry) => entry.endpoint === 'image-generation')).toHaveLength(4);
    // The shoot's budget counts quarter credits exactly: 4 × 1 + 3 × 0.25.
    const [budget] = await call(engine, 'budgets.list', { shootId });
    expect(budget).toMatchObject({ provider: AURAX_ID, committed: 4.75 });
    expect(formatAmount(budget?.committed ?? 0, budget?.unit ?? { one: '', many: '', fractionDigits: 0 })).toBe(
      '4.75 credits',
    );
    expect(sandbox.violations).toEqual([]);
  }, 120_000);
});

describe('AuraX product images from a photo', () => {
  it('sends the photo a generation runs on as its shape reference, and the result joins that photo', async () => {
    const { engine, sandbox, persons } = await setup();
    const recipe = await call(engine, 'recipes.create', {
      name: 'Same shape',
      provider: AURAX_ID,
      operation: 'generate-shaped',
      params: { prompt: 'The same bag in red leather', productType: 'BAG', width: 512, height: 512 },
    });
    await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds: [persons[0] ?? ''] });
    await allDone(engine, 1);
    const [task] = sandbox.tasks();
    expect(task?.input.reference).toMatchObject({ format: 'jpeg', width: 512, height: 600 });
    const [variant] = await call(engine, 'variants.list', {});
    expect(variant).toMatchObject({ assetId: persons[0], width: 512, height: 512 });
    expect(sandbox.violations).toEqual([]);
  });
});

/** One product image from a prompt in a new shoot, run to the end. */
async function oneImage(engine: Parameters<typeof call>[0]): Promise<void> {
  const shoot = await call(engine, 'shoots.create', { name: 'Streams' });
  await call(engine, 'budgets.set', { shootId: shoot.id, provider: AURAX_ID, autoApprove: true });
  await call(engine, 'shoots.runOperation', {
    shootId: shoot.id,
    provider: AURAX_ID,
    operation: 'generate',
    params: { prompt: 'A silk scarf', productType: 'OTHER', width: 256, height: 256 },
  });
  await allDone(engine, 1);
}

describe('AuraX status by its stream', () => {
  it.each([
    ['dropped mid-way', { kind: 'stream-drop' as const }],
    ['stalled', { kind: 'stream-stall' as const }],
  ])('finishes by polling when the stream is %s, charged once', async (_label, fault) => {
    const sandbox = await startAuraxSandbox({ credits: 10, speed: 20, faults: [{ ...fault, count: 10 }] });
    cleanups.push(() => sandbox.close());
    const { engine } = await engineWithAurax(sandbox, { pollIntervalMs: 30, streamIdleMs: 300 });
    await oneImage(engine);
    expect(sandbox.counters.streamsOpened).toBeGreaterThan(0);
    expect(sandbox.counters.polls).toBeGreaterThan(0);
    expect(sandbox.ledger).toHaveLength(1);
    expect(sandbox.violations).toEqual([]);
  });

  it('uses the stream when it works: no status poll at all', async () => {
    const sandbox = await startAuraxSandbox({ credits: 10, speed: 20 });
    cleanups.push(() => sandbox.close());
    const { engine } = await engineWithAurax(sandbox, { pollIntervalMs: 30, streamIdleMs: 5_000 });
    await oneImage(engine);
    expect(sandbox.counters.streamsOpened).toBe(1);
    expect(sandbox.counters.polls).toBe(0);
    expect(sandbox.ledger).toHaveLength(1);
  });
});

describe('AuraX when an answer is lost', () => {
  it('sends a try-on whose answer was lost after AuraX took it to review, never again by itself; inputs go within 2048 px', async () => {
    const sandbox = await startAuraxSandbox({
      credits: 20,
      speed: 100,
      faults: [{ kind: 'reset-after', route: 'vto' }],
    });
    cleanups.push(() => sandbox.close());
    const { engine } = await engineWithAurax(sandbox, { pollIntervalMs: 30, streamIdleMs: 2_000 });
    const root = path.join(fs.realpathSync(tempDir()), 'Studio');
    fs.mkdirSync(path.join(root, 'Big'), { recursive: true });
    await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null, spendingCap: 100, autoApprove: true });
    // 6000 × 4000: sent at 2048 × 1365.
    for (const file of ['photos/sony-ilce6000_6000x4000.jpg', 'photos/cat_grayscale.jpg'])
      fs.copyFileSync(corpusPath(file), path.join(root, 'Big', path.basename(file)));
    const assets = await until(
      () => assetsOf(engine),
      (list) => list.length === 2 && list.every((asset) => asset.state === 'ok'),
    );
    const person = assets.find((asset) => asset.relativePath.includes('sony')) ?? assets[0];
    const garment = assets.find((asset) => asset.relativePath.includes('cat')) ?? assets[1];
    const recipe = await call(engine, 'recipes.create', {
      name: 'Try on',
      provider: AURAX_ID,
      operation: 'tryon',
      params: { productType: 'OUTFIT', garmentStrength: 3, prompt: 'Loosely fitted' },
    });
    await call(engine, 'recipes.run', {
      recipeId: recipe.id,
      assetIds: [person?.id ?? ''],
      garment: { kind: 'asset', id: garment?.id ?? '' },
    });
    const [job] = await until(
      async () => (await call(engine, 'jobs.list', {})).jobs,
      (jobs) => jobs.length === 1 && jobs[0]?.state === 'needs_review',
    );
    expect(job?.state).toBe('needs_review');
    // AuraX took it once and charged once; nothing was sent again.
    expect(sandbox.counters.vto).toBe(1);
    expect(sandbox.ledger).toHaveLength(1);
    const [task] = sandbox.tasks();
    expect(task?.input.person).toMatchObject({ format: 'jpeg', width: 2048, height: 1365 });
    expect(task?.input).toMatchObject({ prompt: 'Loosely fitted', runWithPrompt: true, garmentStrength: 3 });
  });
});
