import fs from 'node:fs';
import path from 'node:path';
import { exiftool } from 'exiftool-vendored';
import sharp from 'sharp';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AURAX_ID } from '../../main/engine/providers/aurax';
import { generatedName } from '../../shared/job-inputs';
import { DIGITAL_SOURCE_TYPES } from '../../shared/operation-effects';
import { startAuraxSandbox } from '../sandbox/aurax/server';
import { corpusPath } from '../support/corpus';
import { assetsOf, call, until } from '../support/engine';
import { engineWithAurax } from '../support/aurax';
import { tempDir } from '../support/temp';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => exiftool.end());

const PERSONS = ['photos/grace_hopper.jpg', 'photos/dune_canon-rebel.jpg', 'photos/fog_hp-photosmart735.jpg'];
const GARMENTS = ['photos/colorfulcups_sony-nex3n_gps_srgb.jpg', 'photos/cat_grayscale.jpg'];
type Engine = Parameters<typeof call>[0];

/** Mean absolute difference (0–255) of two same-sized pictures over a region. */
async function meanDifference(
  a: string,
  b: string,
  region: { left: number; top: number; width: number; height: number },
): Promise<number> {
  const read = (file: string) => sharp(file).extract(region).removeAlpha().raw().toBuffer();
  const [first, second] = await Promise.all([read(a), read(b)]);
  let sum = 0;
  for (let at = 0; at < first.length; at++) sum += Math.abs((first[at] ?? 0) - (second[at] ?? 0));
  return sum / first.length;
}

/** AuraX against its sandbox; a model shoot of three persons and a flat-lay shoot of two garments. */
async function setup() {
  const sandbox = await startAuraxSandbox({ credits: 100, speed: 100 });
  cleanups.push(() => sandbox.close());
  const { engine } = await engineWithAurax(sandbox, { pollIntervalMs: 50, streamIdleMs: 2_000 });
  const root = path.join(fs.realpathSync(tempDir()), 'Studio');
  const shoots = { models: 'Models', flatLays: 'Flat lays' };
  for (const folder of Object.values(shoots)) fs.mkdirSync(path.join(root, folder), { recursive: true });
  await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null, spendingCap: 1000, autoApprove: true });
  for (const file of PERSONS) fs.copyFileSync(corpusPath(file), path.join(root, shoots.models, path.basename(file)));
  for (const file of GARMENTS) fs.copyFileSync(corpusPath(file), path.join(root, shoots.flatLays, path.basename(file)));
  const count = PERSONS.length + GARMENTS.length;
  const assets = await until(
    () => assetsOf(engine),
    (list) => list.length === count && list.every((asset) => asset.state === 'ok'),
  );
  const idOf = (file: string) => assets.find((asset) => asset.relativePath.endsWith(path.basename(file)))?.id ?? '';
  const persons = PERSONS.map(idOf);
  const garments = GARMENTS.map(idOf);
  const shootOf = (id: string) => assets.find((asset) => asset.id === id)?.shootId ?? '';
  return {
    engine,
    sandbox,
    persons,
    garments,
    modelShoot: shootOf(persons[0] ?? ''),
    garmentShoot: shootOf(garments[0] ?? ''),
  };
}

async function jobsDone(engine: Engine, ids: readonly string[]) {
  return until(
    async () => Promise.all(ids.map((id) => call(engine, 'jobs.get', { id }))),
    (jobs) => jobs.every((job) => job.state === 'done'),
    90_000,
  );
}

describe('garments: marked once, remembered per photo', () => {
  it('a mark is kept per photo, a garment shoot types its photos, and a photo can say it is not one', async () => {
    const { engine, persons, garments, garmentShoot } = await setup();
    const [dress, bag] = garments;
    expect((await call(engine, 'garments.list', {})).map((entry) => entry.asset.id)).toEqual([]);

    // A garment shoot makes every photo in it a garment of its type.
    await call(engine, 'shoots.setGarments', { id: garmentShoot, productType: 'GARMENT' });
    const listed = await call(engine, 'garments.list', {});
    expect(listed.map((entry) => entry.asset.id).sort()).toEqual([...garments].sort());
    expect(listed.every((entry) => entry.shootName === 'Flat lays' && entry.asset.garment === 'GARMENT')).toBe(true);
    const shoots = await call(engine, 'shoots.list', {});
    expect(shoots.find((shoot) => shoot.id === garmentShoot)?.garmentType).toBe('GARMENT');

    // A photo's own type wins over its shoot's, and "not a garment" is said per photo too.
    const marked = await call(engine, 'assets.markGarment', { ids: [dress ?? ''], mark: 'DRESS' });
    expect(marked.assets.map((asset) => asset.garment)).toEqual(['DRESS']);
    await call(engine, 'assets.markGarment', { ids: [bag ?? ''], mark: 'none' });
    expect((await call(engine, 'assets.get', { id: bag ?? '' })).garment).toBeNull();
    expect((await call(engine, 'garments.list', {})).map((entry) => entry.asset.id)).toEqual([dress]);
    // "As the shoot says" takes the exception back.
    await call(engine, 'assets.markGarment', { ids: [bag ?? ''], mark: 'shoot' });
    expect((await call(engine, 'assets.get', { id: bag ?? '' })).garment).toBe('GARMENT');

    // A person in the model shoot can be a garment too (an on-model shot), and the mark survives the shoot's.
    await call(engine, 'assets.markGarment', { ids: [persons[2] ?? ''], mark: 'OUTFIT' });
    await call(engine, 'shoots.setGarments', { id: garmentShoot, productType: null });
    const after = await assetsOf(engine);
    const typeOf = (id: string | undefined) => after.find((asset) => asset.id === id)?.garment;
    expect([typeOf(dress), typeOf(bag), typeOf(persons[2]), typeOf(persons[0])]).toEqual([
      'DRESS',
      null,
      'OUTFIT',
      null,
    ]);
  });

  it('refuses an unknown photo, an unknown type and an unknown shoot, each with its own words', async () => {
    const { engine, persons } = await setup();
    await expect(call(engine, 'assets.markGarment', { ids: ['nope'], mark: 'BAG' })).rejects.toThrow(
      'not_found: No photo nope.',
    );
    await expect(call(engine, 'assets.markGarment', { ids: [persons[0] ?? ''], mark: 'HAT' as never })).rejects.toThrow(
      'invalid_input: ',
    );
    await expect(call(engine, 'shoots.setGarments', { id: 'nope', productType: 'BAG' })).rejects.toThrow('not_found: ');
    expect((await call(engine, 'assets.get', { id: persons[0] ?? '' })).garment).toBeNull();
  });
});

describe('try-on pairs persons and garments from another shoot', () => {
  it('estimates 3 persons × 2 garments as 6 try-ons for 18 credits, sending nothing; the run sends each garment’s type and the person’s mask', async () => {
    const { engine, sandbox, persons, garments, modelShoot } = await setup();
    await call(engine, 'assets.markGarment', { ids: [garments[0] ?? ''], mark: 'DRESS' });
    await call(engine, 'assets.markGarment', { ids: [garments[1] ?? ''], mark: 'OUTFIT' });
    const masked = await call(engine, 'assets.get', { id: persons[1] ?? '' });
    const [width, height] = [masked.width ?? 0, masked.height ?? 0];
    const mask = await call(engine, 'masks.save', {
      assetId: masked.id,
      purpose: 'tryon',
      content: { width, height, strokes: [{ points: [{ x: width / 2, y: height / 2 }], size: 300, mode: 'paint' }] },
    });
    const request = {
      provider: AURAX_ID,
      operation: 'tryon',
      params: { garmentStrength: 3 },
      assetIds: persons,
      garments: garments.map((id) => ({ kind: 'asset' as const, id })),
    };
    const estimate = await call(engine, 'operations.estimate', request);
    expect(estimate).toMatchObject({ jobs: 6, totalEstimate: 18, awaitingInput: 0, refused: [] });
    expect(estimate.pairs).toHaveLength(6);
    expect(new Set(estimate.pairs.map((pair) => `${pair.picture}/${pair.garment}`)).size).toBe(6);
    expect(estimate.pairs.filter((pair) => pair.mask !== null)).toEqual([
      { picture: persons[1], garment: garments[0], mask: { id: mask.id, version: 1 } },
      { picture: persons[1], garment: garments[1], mask: { id: mask.id, version: 1 } },
    ]);
    // An estimate is only an estimate: no job, no request.
    expect((await call(engine, 'jobs.list', {})).jobs).toHaveLength(0);
    expect(sandbox.ledger).toHaveLength(0);

    const run = await call(engine, 'operations.run', request);
    expect(run).toMatchObject({ jobs: 6, totalEstimate: 18 });
    const jobs = await jobsDone(engine, run.jobIds);
    expect(jobs.every((job) => job.shootId === modelShoot)).toBe(true);

    // Each garment's own type went with it; the masked person's two try-ons sent the mask.
    const tasks = sandbox.tasks();
    expect(tasks).toHaveLength(6);
    expect(tasks.map((task) => task.input.productType).sort()).toEqual([
      'DRESS',
      'DRESS',
      'DRESS',
      'OUTFIT',
      'OUTFIT',
      'OUTFIT',
    ]);
    expect(tasks.filter((task) => task.input.mask)).toHaveLength(2);
    expect(tasks.every((task) => task.input.garmentStrength === 3)).toBe(true);

    // Results are variants of the person photo, each job knowing its garment.
    const variants = await call(engine, 'variants.list', { shootId: modelShoot });
    expect(variants).toHaveLength(6);
    for (const variant of variants) {
      const job = jobs.find((candidate) => candidate.id === variant.jobId);
      expect(persons).toContain(variant.assetId);
      expect(job?.inputs.source).toMatchObject({ kind: 'asset', assetId: variant.assetId });
      expect(garments).toContain(job?.inputs.garment?.kind === 'asset' ? job.inputs.garment.assetId : null);
    }
    expect(sandbox.violations).toEqual([]);
  }, 120_000);

  it('refuses garments for an operation that takes none, and an unknown person', async () => {
    const { engine, persons, garments } = await setup();
    const garmentsOf = garments.map((id) => ({ kind: 'asset' as const, id }));
    await expect(
      call(engine, 'operations.estimate', {
        provider: AURAX_ID,
        operation: 'describe',
        assetIds: persons,
        garments: garmentsOf,
      }),
    ).rejects.toThrow('invalid_input: Product description takes no garment.');
    await expect(
      call(engine, 'operations.run', {
        provider: AURAX_ID,
        operation: 'tryon',
        assetIds: ['nope'],
        garments: garmentsOf,
      }),
    ).rejects.toThrow('not_found: ');
    // One garment is refused too: it would otherwise be ignored and lend the description its type.
    await expect(
      call(engine, 'operations.estimate', {
        provider: AURAX_ID,
        operation: 'describe',
        assetIds: persons,
        garments: garmentsOf.slice(0, 1),
      }),
    ).rejects.toThrow('invalid_input: Product description takes no garment.');
    expect((await call(engine, 'jobs.list', {})).jobs).toHaveLength(0);
  });

  it('plans each picture and garment once, and refuses a run of more jobs than one run makes', async () => {
    const { engine, persons, garments } = await setup();
    const [person = '', garment = ''] = [persons[0], garments[0]];
    const twice = await call(engine, 'operations.estimate', {
      provider: AURAX_ID,
      operation: 'tryon',
      assetIds: [person, person],
      garments: [
        { kind: 'asset', id: garment },
        { kind: 'asset', id: garment },
      ],
    });
    expect(twice).toMatchObject({ jobs: 1, totalEstimate: 3 });
    const many = Array.from({ length: 101 }, (_, at) => `person-${at}`);
    const hundred = Array.from({ length: 100 }, (_, at) => ({ kind: 'asset' as const, id: `garment-${at}` }));
    await expect(
      call(engine, 'operations.estimate', {
        provider: AURAX_ID,
        operation: 'tryon',
        assetIds: many,
        garments: hundred,
      }),
    ).rejects.toThrow('invalid_input: This run would make 10,100 jobs; one run makes at most 10,000.');
  });

  it('approves the spend of this run only, in the run itself; a cap it would pass queues nothing', async () => {
    const { engine, persons, garments, modelShoot } = await setup();
    await call(engine, 'budgets.set', { shootId: modelShoot, provider: AURAX_ID, autoApprove: false });
    const tryOn = (assetIds: string[], approve: boolean) =>
      call(engine, 'operations.run', {
        provider: AURAX_ID,
        operation: 'tryon',
        assetIds,
        garments: [{ kind: 'asset', id: garments[0] ?? '' }],
        approve,
      });
    const left = await tryOn([persons[0] ?? ''], false);
    expect(left.awaitingApproval).toBe(1);
    const approved = await tryOn([persons[1] ?? '', persons[2] ?? ''], true);
    expect(approved.awaitingApproval).toBe(0);
    await jobsDone(engine, approved.jobIds);
    // The earlier run still waits: approving this one approved nothing else.
    expect(await call(engine, 'jobs.get', { id: left.jobIds[0] ?? '' })).toMatchObject({
      state: 'awaiting_input',
      waitingFor: 'approval',
    });
    const [budget] = await call(engine, 'budgets.list', { shootId: modelShoot });
    expect(budget).toMatchObject({ committed: 6 });

    // A cap the approval would pass refuses the run: nothing is queued.
    await call(engine, 'budgets.set', { shootId: modelShoot, provider: AURAX_ID, cap: 7 });
    const before = (await call(engine, 'jobs.list', {})).jobs.length;
    await expect(tryOn([persons[0] ?? ''], true)).rejects.toThrow(
      'conflict: Approving that would take this shoot to 9',
    );
    expect((await call(engine, 'jobs.list', {})).jobs).toHaveLength(before);
  }, 120_000);
});

describe('descriptions are text variants, read and edited', () => {
  it('describes a garment with its remembered type; an edit replaces the words and keeps the marks', async () => {
    const { engine, sandbox, garments } = await setup();
    const [bag] = garments;
    await call(engine, 'assets.markGarment', { ids: [bag ?? ''], mark: 'BAG' });
    const run = await call(engine, 'operations.run', {
      provider: AURAX_ID,
      operation: 'describe',
      assetIds: [bag ?? ''],
    });
    expect(run.totalEstimate).toBe(0.25);
    await jobsDone(engine, run.jobIds);
    const [text] = await call(engine, 'variants.list', { assetId: bag ?? '' });
    if (!text) throw new Error('no description');
    expect(text.kind).toBe('text');
    const words = (await call(engine, 'variants.text', { id: text.id })).text;
    expect(words).toMatch(/^A bag in #/);

    await call(engine, 'variants.update', { id: text.id, approved: true });
    const edited = await call(engine, 'variants.setText', { id: text.id, text: '  A red leather tote.  ' });
    expect(edited).toMatchObject({ id: text.id, approved: true, kind: 'text' });
    expect(edited.mediaId).not.toBe(text.mediaId);
    // A media id names a file: only the characters the media URLs accept.
    expect(edited.mediaId).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
    expect((await call(engine, 'variants.text', { id: text.id })).text).toBe('A red leather tote.\n');

    // The edited words are what export writes beside the garment (a sidecar, as this preset says).
    const full = (await call(engine, 'exports.presets', {})).find(
      (entry) => entry.preset.name === 'Full-resolution JPEG',
    );
    const target = tempDir();
    const started = await call(engine, 'exports.start', {
      shootId: (await call(engine, 'assets.get', { id: bag ?? '' })).shootId,
      preset: {
        ...full?.preset,
        what: 'originals',
        descriptions: 'sidecar',
        filenameTemplate: '{name}',
        outputFolder: 'out',
      },
      targetRoot: target,
      assetIds: [bag ?? ''],
    });
    await until(
      async () => (await call(engine, 'exports.list', {})).find((entry) => entry.id === started.id),
      (entry) => entry !== undefined && entry.state === 'done',
    );
    const sidecar = path.join(target, 'out', `${path.basename(GARMENTS[0] ?? '', '.jpg')}.txt`);
    expect(fs.readFileSync(sidecar, 'utf8').trim()).toBe('A red leather tote.');

    await expect(call(engine, 'variants.setText', { id: text.id, text: '   ' })).rejects.toThrow(
      'A description cannot be empty.',
    );
    expect(sandbox.violations).toEqual([]);
  }, 120_000);

  it('refuses to read or edit a picture as words', async () => {
    const { engine, garments, persons } = await setup();
    const run = await call(engine, 'operations.run', {
      provider: AURAX_ID,
      operation: 'tryon',
      assetIds: [persons[0] ?? ''],
      garments: [{ kind: 'asset', id: garments[0] ?? '' }],
    });
    await jobsDone(engine, run.jobIds);
    const [picture] = await call(engine, 'variants.list', {});
    await expect(call(engine, 'variants.text', { id: picture?.id ?? '' })).rejects.toThrow(
      'invalid_input: Only a description has words',
    );
    await expect(call(engine, 'variants.setText', { id: picture?.id ?? '', text: 'words' })).rejects.toThrow(
      'invalid_input: ',
    );
  }, 120_000);
});

describe('product images from a prompt join the shoot as generated items', () => {
  it('makes N images, with a shape reference when given, and exports them labelled as generated; a try-on as a composite', async () => {
    const { engine, sandbox, persons, garments, modelShoot } = await setup();
    const made = await call(engine, 'shoots.runOperation', {
      shootId: modelShoot,
      provider: AURAX_ID,
      operation: 'generate',
      params: { prompt: 'A red leather tote on white', productType: 'BAG', width: 512, height: 512 },
      reference: { kind: 'asset', id: garments[0] ?? '' },
      count: 2,
    });
    expect(made).toMatchObject({ totalEstimate: 2 });
    const tryon = await call(engine, 'operations.run', {
      provider: AURAX_ID,
      operation: 'tryon',
      assetIds: [persons[0] ?? ''],
      garments: [{ kind: 'asset', id: garments[1] ?? '' }],
    });
    await jobsDone(engine, [...made.jobIds, ...tryon.jobIds]);
    const generations = sandbox.tasks().filter((task) => task.kind === 'image-generation');
    expect(generations).toHaveLength(2);
    expect(generations.every((task) => task.input.reference !== undefined)).toBe(true);

    const detail = await call(engine, 'shoots.get', { id: modelShoot });
    expect(detail.generated).toHaveLength(2);
    expect(detail.generated.every((variant) => variant.assetId === null)).toBe(true);

    for (const variant of await call(engine, 'variants.list', { shootId: modelShoot })) {
      await call(engine, 'variants.update', { id: variant.id, approved: true });
    }
    const listing = (await call(engine, 'exports.presets', {})).find((entry) => entry.preset.name === 'Listing (MLS)');
    const named = await call(engine, 'exports.savePreset', {
      preset: { ...listing?.preset, name: 'Looks', filenameTemplate: '{name}', outputFolder: 'out' },
    });
    const target = tempDir();
    const started = await call(engine, 'exports.start', {
      shootId: modelShoot,
      presetId: named.id,
      targetRoot: target,
    });
    const finished = await until(
      async () => (await call(engine, 'exports.list', {})).find((entry) => entry.id === started.id),
      (entry) => entry !== undefined && entry.state !== 'running',
    );
    expect(finished).toMatchObject({ state: 'done', done: 3 });
    const out = path.join(target, 'out');
    const tags = (name: string) => exiftool.read<Record<string, unknown>>(path.join(out, name));
    for (const variant of detail.generated) {
      expect((await tags(`${generatedName(variant)}.jpg`)).DigitalSourceType).toBe(
        DIGITAL_SOURCE_TYPES.trainedAlgorithmicMedia,
      );
    }
    const person = path.basename(PERSONS[0] ?? '');
    expect((await tags(person)).DigitalSourceType).toBe(DIGITAL_SOURCE_TYPES.compositeWithTrainedAlgorithmicMedia);

    // The label is drawn on the try-on: against the same export without a label, only its corner differs.
    const unlabelled = await call(engine, 'exports.savePreset', {
      preset: {
        ...listing?.preset,
        name: 'Looks, no label',
        filenameTemplate: '{name}',
        outputFolder: 'plain',
        aiDisclosure: { metadata: true },
      },
    });
    const plainRun = await call(engine, 'exports.start', {
      shootId: modelShoot,
      presetId: unlabelled.id,
      targetRoot: target,
    });
    await until(
      async () => (await call(engine, 'exports.list', {})).find((entry) => entry.id === plainRun.id),
      (entry) => entry !== undefined && entry.state === 'done',
    );
    const labelled = path.join(out, person);
    const plain = path.join(target, 'plain', person);
    const { width = 0, height = 0 } = await sharp(labelled).metadata();
    const corner = {
      left: 0,
      top: Math.round(height * 0.9),
      width: Math.round(width * 0.4),
      height: Math.round(height * 0.1),
    };
    const opposite = { ...corner, left: width - corner.width, top: 0 };
    expect(await meanDifference(labelled, plain, corner)).toBeGreaterThan(4);
    expect(await meanDifference(labelled, plain, opposite)).toBeLessThan(0.5);
    expect(sandbox.violations).toEqual([]);
  }, 120_000);

  it('refuses a reference for an operation that takes none, and more than 20 images at once', async () => {
    const { engine, modelShoot, garments } = await setup();
    const base = { shootId: modelShoot, provider: AURAX_ID, params: { prompt: 'A scarf', width: 256, height: 256 } };
    await expect(call(engine, 'shoots.runOperation', { ...base, operation: 'generate', count: 21 })).rejects.toThrow(
      'invalid_input: ',
    );
    await expect(
      call(engine, 'shoots.runOperation', {
        ...base,
        operation: 'describe',
        reference: { kind: 'asset', id: garments[0] ?? '' },
      }),
    ).rejects.toThrow('invalid_input: Product description takes no reference picture.');
    expect((await call(engine, 'jobs.list', {})).jobs).toHaveLength(0);
  });
});
