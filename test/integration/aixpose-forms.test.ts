import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { catalogChoices, describeFields, groupChoices } from '../../renderer/src/components/recipe/schema-form';
import { createAixposeProvider } from '../../main/engine/providers/aixpose';
import { createLocalProvider } from '../../main/engine/providers/local';
import { startAixposeSandbox, type AixposeForms } from '../sandbox/aixpose/server';
import { corpusPath, TEN_PHOTOS } from '../support/corpus';
import { assetsOf, call, startTestEngine, until } from '../support/engine';
import { tempDir } from '../support/temp';

/**
 * AIXpose's doc leaves most answer shapes open. The sandbox answers in each plausible form (its
 * `forms`), and every form must work end to end: enhancements to variants, prompts, videos of
 * uploaded variants, the catalog, the ledger, and money recorded as AIXpose charged it.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const KEY = 'aix_forms_key_4242';

async function setup(forms: Partial<AixposeForms>, photos: readonly string[] = TEN_PHOTOS) {
  const sandbox = await startAixposeSandbox({
    apiKey: KEY,
    credits: 10_000,
    speed: 400,
    forms,
    extraAspectRatios: ['5:4'],
  });
  cleanups.push(() => sandbox.close());
  const { engine, dataDir } = startTestEngine({
    stabilityMs: 200,
    providers: [createAixposeProvider({ pollIntervalMs: 40 }), createLocalProvider({ workDir: tempDir() })],
  });
  await call(engine, 'providers.configure', { provider: 'aixpose', baseUrl: sandbox.baseUrl });
  await call(engine, 'providers.setKey', { provider: 'aixpose', key: KEY });
  const root = path.join(fs.realpathSync(tempDir()), 'Listings');
  fs.mkdirSync(path.join(root, '9 Quay St'), { recursive: true });
  await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null, spendingCap: 10_000, autoApprove: true });
  for (const photo of photos) fs.copyFileSync(corpusPath(photo), path.join(root, '9 Quay St', path.basename(photo)));
  const assets = await until(
    () => assetsOf(engine),
    (list) => list.length === photos.length && list.every((asset) => asset.state === 'ok'),
  );
  const run = async (params: Record<string, unknown>, assetIds: string[], provider = 'aixpose') => {
    const recipe = await call(engine, 'recipes.create', {
      name: `R ${Math.random()}`,
      provider,
      operation: 'enhance',
      params,
    });
    const started = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds });
    return until(
      async () =>
        (await call(engine, 'jobs.list', { limit: 500 })).jobs.filter((job) => started.jobIds.includes(job.id)),
      (jobs) =>
        jobs.length === started.jobIds.length &&
        jobs.every((job) => ['done', 'failed', 'needs_review'].includes(job.state)),
    );
  };
  return { sandbox, engine, dataDir, assets, shootId: assets[0]?.shootId ?? '', run };
}

/** Shootline's own ledger, by kind. */
function ledgerTotals(dataDir: string): { charge: number; possible: number } {
  const db = new Database(path.join(dataDir, 'shootline.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT kind, SUM(amount) AS total FROM credit_ledger GROUP BY kind').all() as {
      kind: string;
      total: number;
    }[];
    const of = (kind: string) => rows.find((row) => row.kind === kind)?.total ?? 0;
    return { charge: of('charge'), possible: of('possible_charge') };
  } finally {
    db.close();
  }
}

const charged = (sandbox: { ledger: { amount: number; reason: string }[] }): number =>
  -sandbox.ledger.filter((entry) => entry.amount < 0).reduce((sum, entry) => sum + entry.amount, 0);

const FORM_SETS: [string, Partial<AixposeForms>][] = [
  [
    'a {data} answer, {items} lists, upper-case statuses, named fields, flat errors, uploads ready later',
    {
      enhancementAnswer: 'data',
      listShape: 'items',
      statusWords: 'upper',
      objectFields: 'named',
      errorShape: 'flat',
      uploadReadiness: 'delayed',
      notReadyCode: 'not_ready',
      inProgressCode: 'conflict',
      sourceField: 'parent_id',
    },
  ],
  [
    'a {pictures, credits_charged} answer, bare lists, synonym statuses, problem errors',
    {
      enhancementAnswer: 'pictures',
      listShape: 'array',
      statusWords: 'synonyms',
      errorShape: 'problem',
      notReadyCode: 'resource_not_ready',
      inProgressCode: 'request_in_progress',
    },
  ],
  ['an {enhancement:{variants}, credits:{charged}} answer', { enhancementAnswer: 'enhancement' }],
];

describe('AIXpose in every form its doc leaves open', () => {
  it.each(FORM_SETS)(
    'turns 10 photos into 20 variants with %s, and records what AIXpose charged',
    async (_label, forms) => {
      const { sandbox, engine, dataDir, assets, run } = await setup(forms);
      const jobs = await run(
        { actions: ['interior-style-japandi'], variants: 2 },
        assets.map((asset) => asset.id),
      );
      expect(jobs.map((job) => job.state)).toEqual(Array(10).fill('done'));
      const variants = await call(engine, 'variants.list', {});
      expect(variants).toHaveLength(20);
      expect(variants.every((variant) => variant.remote?.id && variant.width && variant.height)).toBe(true);
      expect(sandbox.violations).toEqual([]);
      expect(ledgerTotals(dataDir)).toEqual({ charge: charged(sandbox), possible: 0 });
      // The balance shown follows the charges: stated by the answer, or read again after them.
      const shown = await until(
        async () => (await call(engine, 'providers.list', {})).find((provider) => provider.id === 'aixpose')?.balance,
        (balance) => balance === sandbox.balance,
      );
      expect(shown).toBe(10_000 - 20);
    },
    120_000,
  );

  it('sends a prompt recipe as a custom prompt and gets its variants', async () => {
    const { sandbox, assets, run } = await setup({ uploadReadiness: 'delayed' }, TEN_PHOTOS.slice(0, 1));
    const jobs = await run({ prompt: 'Stage it as a warm Scandinavian living room', variants: 1 }, [
      assets[0]?.id ?? '',
    ]);
    expect(jobs.map((job) => job.state)).toEqual(['done']);
    const made = sandbox.pictures().find((picture) => picture.version > 0);
    expect(made?.source_instruction).toMatchObject({
      source: 'custom',
      prompt: 'Stage it as a warm Scandinavian living room',
    });
    expect(sandbox.violations).toEqual([]);
  });

  it('makes a listing video from 3 local variants uploaded just before, waiting until AIXpose has them', async () => {
    const { sandbox, engine, assets, shootId, run } = await setup(
      { uploadReadiness: 'delayed', notReadyCode: 'resource_not_ready' },
      TEN_PHOTOS.slice(0, 3),
    );
    const local = await run(
      { preset: 'auto' },
      assets.map((asset) => asset.id),
      'local',
    );
    expect(local.map((job) => job.state)).toEqual(['done', 'done', 'done']);
    for (const variant of await call(engine, 'variants.list', { shootId })) {
      await call(engine, 'variants.update', { id: variant.id, approved: true });
    }
    const started = await call(engine, 'shoots.runOperation', {
      shootId,
      provider: 'aixpose',
      operation: 'video',
      params: { voiceDirection: 'Calm, warm', backgroundDirection: 'Soft piano' },
    });
    const job = await until(
      () => call(engine, 'jobs.get', { id: started.jobIds[0] ?? '' }),
      (detail) => ['done', 'failed', 'needs_review'].includes(detail.state),
    );
    expect([job.state, job.lastError]).toEqual(['done', null]);
    const [video] = await call(engine, 'variants.list', { jobId: job.id });
    const media = await engine.resolveMedia({ kind: 'variant', id: video?.mediaId ?? '' });
    expect(fs.readFileSync(media?.file ?? '').toString('latin1', 4, 8)).toBe('ftyp');
    expect(sandbox.videos()[0]).toMatchObject({ voice_direction: 'Calm, warm', background_direction: 'Soft piano' });
    expect(sandbox.videos()[0]?.picture_ids).toHaveLength(3);
    expect(sandbox.violations).toEqual([]);
  });

  it('finds the pictures of a paid enhancement whose answer cannot be read: done, charged once', async () => {
    const { sandbox, dataDir, assets, run } = await setup({ enhancementAnswer: 'garbage' }, TEN_PHOTOS.slice(0, 2));
    const jobs = await run(
      { actions: ['interior-style-japandi'], variants: 2 },
      assets.map((asset) => asset.id),
    );
    expect(jobs.map((job) => job.state)).toEqual(['done', 'done']);
    expect(sandbox.ledger.filter((entry) => entry.reason === 'enhancement')).toHaveLength(2);
    expect(ledgerTotals(dataDir)).toEqual({ charge: 4, possible: 0 });
    expect(sandbox.violations).toEqual([]);
  });

  it('sends it to review with AIXpose’s words when the pictures cannot be found either', async () => {
    const { sandbox, dataDir, assets, run } = await setup(
      { enhancementAnswer: 'garbage', sourceField: 'none' },
      TEN_PHOTOS.slice(0, 1),
    );
    const [job] = await run({ actions: ['interior-style-japandi'], variants: 2 }, [assets[0]?.id ?? '']);
    expect(job?.state).toBe('needs_review');
    expect(job?.lastError?.message).toBe(
      'AIXpose accepted this job but its answer could not be read, and the work was not found: AIXpose answered 202 with "502 upstream hiccup". Resend (may be charged again) or discard.',
    );
    expect(sandbox.ledger.filter((entry) => entry.reason === 'enhancement')).toHaveLength(1);
    expect(ledgerTotals(dataDir)).toEqual({ charge: 0, possible: 2 });
  });

  it.each<[string, Partial<AixposeForms>]>([
    ['flat actions with group ids, scene types beside them, ratio objects', {}],
    [
      'groups holding their actions, scene types with the models, bare ratio strings',
      { catalogActions: 'nested', sceneLocationsIn: 'models', aspectRatios: 'strings' },
    ],
    [
      'actions carrying group objects, scene types with the ratios, {value} ratios',
      { catalogActions: 'objects', sceneLocationsIn: 'aspect-ratios', aspectRatios: 'values' },
    ],
  ])('reads the catalog with %s: actions under their groups, only ratios the recipe takes', async (_label, forms) => {
    const { sandbox, engine } = await setup(forms, TEN_PHOTOS.slice(0, 1));
    const catalog = await call(engine, 'providers.catalog', { provider: 'aixpose' });
    const actions = catalog.entries.filter((entry) => entry.kind === 'action');
    expect(actions).toContainEqual(
      expect.objectContaining({ id: 'interior-style-japandi', group: 'Interior style', appliesTo: ['interior'] }),
    );
    // A group is never offered as an action.
    expect(actions.map((entry) => entry.id)).not.toContain('interior-style');
    expect(catalog.entries).toContainEqual(
      expect.objectContaining({ kind: 'scene_location', id: 'kitchen', group: 'interior' }),
    );
    const ratios = catalog.entries.filter((entry) => entry.kind === 'aspect_ratio').map((entry) => entry.id);
    expect(ratios).toContain('16:9');
    expect(ratios).toContain('5:4');

    // The recipe form: actions grouped by their group's name; every ratio it offers, the recipe takes.
    const view = (await call(engine, 'providers.list', {})).find((provider) => provider.id === 'aixpose');
    const enhance = view?.operations.find((operation) => operation.name === 'enhance');
    const fields = describeFields(enhance?.paramsSchema ?? {}, enhance?.hints ?? {});
    const actionField = fields.find((field) => field.name === 'actions');
    const ratioField = fields.find((field) => field.name === 'aspectRatio');
    if (!actionField || !ratioField) throw new Error('the enhance form lacks its action or ratio field');
    const groups = groupChoices(catalogChoices(actionField, catalog.entries, new Set(['interior'])));
    expect(groups.map((group) => group.group)).toContain('Interior style');
    const offered = catalogChoices(ratioField, catalog.entries, new Set());
    expect(offered.map((choice) => choice.value)).toEqual(expect.arrayContaining(['16:9', '5:4']));
    for (const choice of offered) {
      const estimate = await engine.call('providers.estimate', {
        provider: 'aixpose',
        operation: 'enhance',
        params: { actions: ['interior-style-japandi'], aspectRatio: choice.value },
      });
      expect(estimate.ok, `aspect ratio ${String(choice.value)}`).toBe(true);
    }
    expect(sandbox.violations).toEqual([]);
  });

  it.each<[string, AixposeForms['ledgerEntries']]>([
    ['signed amounts with a reason', 'reason'],
    ['unsigned amounts with a kind', 'kind'],
    ['debits and credits with a type', 'type'],
  ])('reads the ledger given as %s: it sums to the balance', async (_label, ledgerEntries) => {
    const { sandbox, engine, assets, run } = await setup({ ledgerEntries }, TEN_PHOTOS.slice(0, 1));
    await run({ actions: ['interior-style-japandi'], variants: 2 }, [assets[0]?.id ?? '']);
    const ledger = await call(engine, 'providers.ledger', { provider: 'aixpose' });
    expect(ledger.reduce((sum, entry) => sum + entry.amount, 0)).toBe(sandbox.balance);
    expect(ledger.filter((entry) => entry.amount < 0)).toHaveLength(1);
  });

  it.each<[AixposeForms['errorShape']]>([['nested'], ['flat'], ['problem']])(
    'fails a refused job with AIXpose’s own words and field, errors given as %s',
    async (errorShape) => {
      const { sandbox, assets, run } = await setup({ errorShape }, TEN_PHOTOS.slice(0, 1));
      const [job] = await run({ actions: ['interior-style-bauhaus'], variants: 1 }, [assets[0]?.id ?? '']);
      expect(job?.state).toBe('failed');
      expect(job?.lastError?.message).toMatch(
        /^AIXpose: The provider answered 400: .*bauhaus.*\(field instruction\.actions/,
      );
      expect(sandbox.violations.map((violation) => violation.code)).toEqual(['invalid_request']);
    },
  );

  it('holds every request to AIXpose for the 2 s a Retry-After asks, not only the job that got it', async () => {
    const { sandbox, assets, run } = await setup({}, TEN_PHOTOS.slice(0, 4));
    sandbox.setFault(
      { kind: 'rate_limit', retryAfterSeconds: 2 },
      { times: 1, route: 'POST /v1/pictures/{picture_id}/enhancements' },
    );
    const jobs = await run(
      { actions: ['interior-style-japandi'], variants: 1 },
      assets.map((asset) => asset.id),
    );
    expect(jobs.map((job) => job.state)).toEqual(['done', 'done', 'done', 'done']);
    const api = sandbox.requests.filter((request) => request.target === 'api');
    const refused = api.find((request) => request.status === 429);
    if (!refused) throw new Error('no 429 was answered');
    // Requests already on their way when the 429 was answered cannot be called back; every one sent
    // after it waited the 2 s. (Arrivals within 100 ms of the refusal were sent before it was read.)
    const inFlight = api.filter((request) => request.at > refused.at && request.at - refused.at < 100);
    const later = api.filter((request) => request.at - refused.at >= 100);
    expect(inFlight.length).toBeLessThanOrEqual(3);
    expect(Math.min(...later.map((request) => request.at - refused.at))).toBeGreaterThanOrEqual(2_000);
  });
});
