import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { AURAX_ID } from '../../main/engine/providers/aurax';
import { FORM_CHOICES, type AuraxForms } from '../sandbox/aurax/forms';
import { startAuraxSandbox, type Fault } from '../sandbox/aurax/server';
import { corpusPath } from '../support/corpus';
import { assetsOf, call, until } from '../support/engine';
import { engineWithAurax } from '../support/aurax';
import { tempDir } from '../support/temp';

/**
 * AuraX's doc fixes no answer shape, status word, image reference, error body or event format: the
 * sandbox answers in each reading docs/providers/aurax.md lists (its `forms`), and the adapter must
 * read every one. A test per reading of every switch.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(forms: Partial<AuraxForms>, options: { credits?: number; faults?: Fault[] } = {}) {
  const sandbox = await startAuraxSandbox({
    credits: options.credits ?? 50,
    speed: 200,
    forms,
    faults: options.faults ?? [],
  });
  cleanups.push(() => sandbox.close());
  const { engine } = await engineWithAurax(sandbox, { pollIntervalMs: 30, streamIdleMs: 2_000 });
  const root = path.join(fs.realpathSync(tempDir()), 'Studio');
  fs.mkdirSync(path.join(root, 'Bags'), { recursive: true });
  await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null, spendingCap: 100, autoApprove: true });
  fs.copyFileSync(corpusPath('photos/grace_hopper.jpg'), path.join(root, 'Bags', 'grace_hopper.jpg'));
  const [photo] = await until(
    () => assetsOf(engine),
    (list) => list.length === 1 && list.every((asset) => asset.state === 'ok'),
  );
  const generate = () =>
    call(engine, 'shoots.runOperation', {
      shootId: photo?.shootId ?? '',
      provider: AURAX_ID,
      operation: 'generate',
      params: { prompt: 'A leather bag', productType: 'BAG', width: 256, height: 320 },
    });
  const describeIt = async () => {
    const recipe = await call(engine, 'recipes.create', {
      name: 'Describe',
      provider: AURAX_ID,
      operation: 'describe',
      params: { productType: 'BAG' },
    });
    return call(engine, 'recipes.run', { recipeId: recipe.id, assetIds: [photo?.id ?? ''] });
  };
  const settledJob = () =>
    until(
      async () => (await call(engine, 'jobs.list', {})).jobs,
      (jobs) => jobs.length === 1 && ['done', 'failed', 'needs_review'].includes(jobs[0]?.state ?? ''),
    ).then((jobs) => jobs[0]);
  return { engine, sandbox, generate, describeIt, settledJob };
}

/** Every reading of the switches a task's life goes through, each on its own. */
const TASK_SWITCHES = ['created', 'task', 'statusWords', 'images', 'imageBody', 'charge', 'events'] as const;
const taskReadings = TASK_SWITCHES.flatMap((name) =>
  (FORM_CHOICES[name] as readonly string[]).map((value) => [`${name}: ${value}`, { [name]: value }] as const),
);

describe('AuraX read in every form its doc leaves open', () => {
  it.each(taskReadings)('makes a product image when the sandbox answers with %s', async (_label, forms) => {
    const { engine, sandbox, generate, settledJob } = await setup(forms);
    await generate();
    expect((await settledJob())?.state).toBe('done');
    const [variant] = await call(engine, 'variants.list', {});
    const file = (await engine.resolveMedia({ kind: 'variant', id: variant?.mediaId ?? '' }))?.file ?? '';
    expect(await sharp(file).metadata()).toMatchObject({ width: 256, height: 320 });
    expect(sandbox.ledger.map((entry) => entry.credits)).toEqual([1]);
    expect(sandbox.violations).toEqual([]);
    // Read from the stream itself: had its events not been understood, the queue would have polled.
    expect(sandbox.counters.streamsOpened).toBe(1);
    expect(sandbox.counters.polls).toBe(0);
  });

  it.each(FORM_CHOICES.description.map((value) => [value]))(
    'keeps the description as a text variant when it comes as %s',
    async (value) => {
      const { engine, sandbox, describeIt, settledJob } = await setup({ description: value });
      await describeIt();
      expect((await settledJob())?.state).toBe('done');
      const [text] = await call(engine, 'variants.list', {});
      expect(text?.kind).toBe('text');
      const file = (await engine.resolveMedia({ kind: 'variant', id: text?.mediaId ?? '' }))?.file ?? '';
      const words = fs.readFileSync(file, 'utf8');
      expect(words.length).toBeGreaterThan(10);
      expect(words).not.toMatch(/^[{"]/); // the text itself, not the JSON around it
      expect(sandbox.ledger.map((entry) => entry.quarters)).toEqual([1]);
    },
  );

  it.each(FORM_CHOICES.failure.map((value) => [value]))(
    'fails a task AuraX could not finish, in its words when it gives them (%s)',
    async (value) => {
      const reason = 'No product was found in the picture';
      const { generate, settledJob } = await setup({ failure: value }, { faults: [{ kind: 'task-fail', reason }] });
      await generate();
      const job = await settledJob();
      expect(job?.state).toBe('failed');
      if (value === 'none') expect(job?.lastError?.message).toContain('AuraX could not finish this.');
      else expect(job?.lastError?.message).toContain(`AuraX could not finish this: ${reason}`);
    },
  );

  it.each(FORM_CHOICES.noCredits.map((value) => [value]))(
    'pauses AuraX, not the job, when the credits ran out (%s)',
    async (value) => {
      const { engine, sandbox, generate } = await setup({ noCredits: value }, { credits: 0 });
      await generate();
      const view = await until(
        async () => (await call(engine, 'providers.list', {})).find((provider) => provider.id === AURAX_ID),
        (provider) => provider?.pausedReason !== null,
      );
      expect(view?.pausedReason).toBe('AuraX has run out of credits. Top up, then resume it.');
      expect((await call(engine, 'jobs.list', {})).jobs.some((job) => job.state === 'failed')).toBe(false);
      expect(sandbox.ledger).toEqual([]);
    },
  );

  it.each(FORM_CHOICES.errors.map((value) => [value]))('shows AuraX’s words from an error body (%s)', async (value) => {
    const { generate, settledJob } = await setup(
      { errors: value },
      { faults: [{ kind: 'status', status: 400, route: 'image-generation' }] },
    );
    await generate();
    const job = await settledJob();
    expect(job?.state).toBe('failed');
    expect(job?.lastError?.message).toContain('Injected server error');
  });
});
