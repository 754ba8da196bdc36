import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../shared/jobs';
import { MaskContentSchema, type MaskContentInput } from '../../shared/mask';
import { rasterizeStrokes } from '../../shared/mask-raster';
import { openDatabase } from '../../main/engine/db/connection';
import { clearPause } from '../../main/engine/db/pauses-repo';
import type { SentInputs } from '../support/test-provider/module';
import { startTestProvider, type TestProviderServer } from '../support/test-provider/server';
import { corpusPath } from '../support/corpus';
import { rolesProvider } from '../support/engine-crash-child';
import { assetsOf, call, startTestEngine, until } from '../support/engine';
import { countByState, waitFor } from '../support/queue-harness';
import { seeded } from '../support/seeded';
import { tempDir } from '../support/temp';

const root = path.resolve(import.meta.dirname, '..', '..');

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface ChildRun {
  child: ChildProcess;
  exited: Promise<{ signal: NodeJS.Signals | null; output: string }>;
}

function runChild(dataDir: string, url: string, kill = ''): ChildRun {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'test', 'support', 'engine-crash-child.ts'), dataDir, url],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SHOOTLINE_TEST_KILL: kill } },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  cleanups.push(() => child.kill('SIGKILL'));
  return {
    child,
    exited: new Promise((resolve) => child.once('exit', (_code, signal) => resolve({ signal, output }))),
  };
}

/** A dot of `size` pixels at (x, y) on a photo of that size. */
function dot(width: number, height: number, x: number, y: number, size: number): MaskContentInput {
  return { width, height, strokes: [{ points: [{ x, y }], size, hardness: 0.5, mode: 'paint' }] };
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** What each job sent with each of its paid steps, from the server's own record of the bodies. */
function sentByJob(server: TestProviderServer): Map<string, SentInputs[]> {
  const sent = new Map<string, SentInputs[]>();
  for (const request of server.log.filter((entry) => entry.path.startsWith('/submit/'))) {
    const body = JSON.parse(request.body) as { job: string; inputs: SentInputs };
    sent.set(body.job, [...(sent.get(body.job) ?? []), body.inputs]);
  }
  return sent;
}

describe('jobs with inputs by role survive SIGKILL', () => {
  it(
    'a job from a prompt, on a result, with and without its optional mask, with a garment given later, and with a mask edited after planning: each done once, each sending its pinned inputs',
    { timeout: 300_000 },
    async () => {
      let current: ChildRun | null = null;
      let killOnArrival = 0;
      const server = await startTestProvider({
        dedupe: true,
        pollsUntilDone: 1,
        onSubmit: ({ n }) => {
          if (n !== killOnArrival || !current) return undefined;
          // The provider has the request; the app dies before it hears the answer.
          current.child.kill('SIGKILL');
          return { kind: 'hang' };
        },
      });
      cleanups.push(server.close);

      // Planning, in an engine of our own: photos ingested for real, then jobs planned while the queue is paused.
      const { engine, dataDir } = startTestEngine({ providers: [rolesProvider(server.url)] });
      const hot = path.join(fs.realpathSync(tempDir()), 'Fitting');
      fs.mkdirSync(path.join(hot, 'Look book'), { recursive: true });
      await call(engine, 'hotFolders.add', { path: hot, defaultRecipeId: null, spendingCap: null, autoApprove: true });
      fs.copyFileSync(corpusPath('photos/grace_hopper.jpg'), path.join(hot, 'Look book', 'a-person.jpg'));
      fs.copyFileSync(corpusPath('photos/cat_grayscale.jpg'), path.join(hot, 'Look book', 'b-garment.jpg'));
      const assets = (
        await until(
          () => assetsOf(engine),
          (list) => list.length === 2 && list.every((asset) => asset.state === 'ok'),
        )
      ).sort((x, y) => x.relativePath.localeCompare(y.relativePath));
      const [person, garment] = assets as [(typeof assets)[0], (typeof assets)[0]];
      const shootId = person.shootId;
      const recipe = async (operation: string) =>
        call(engine, 'recipes.create', { name: operation, provider: 'test', operation, params: {} });

      // A result to start from: generated now, while the queue runs.
      const first = await call(engine, 'recipes.run', {
        recipeId: (await recipe('generate')).id,
        assetIds: [person.id],
      });
      await until(
        () => call(engine, 'jobs.get', { id: first.jobIds[0] ?? '' }),
        (job) => job.state === 'done',
      );
      const [result] = await call(engine, 'variants.list', { jobId: first.jobIds[0] ?? '' });
      if (!result) throw new Error('the first job made no result');
      await call(engine, 'queue.pause', { scope: 'global' });

      const personW = person.width ?? 0;
      const personH = person.height ?? 0;
      const garmentW = garment.width ?? 0;
      const garmentH = garment.height ?? 0;
      const tryonContent = dot(personW, personH, personW / 2, personH / 2, Math.min(personW, personH) / 3);
      const tryon = await call(engine, 'masks.save', { assetId: person.id, purpose: 'tryon', content: tryonContent });
      const exteriorV1 = dot(garmentW, garmentH, garmentW / 3, garmentH / 3, Math.min(garmentW, garmentH) / 4);
      const exterior = await call(engine, 'masks.save', {
        assetId: garment.id,
        purpose: 'exterior',
        content: exteriorV1,
      });

      const fromPrompt = await call(engine, 'shoots.runOperation', {
        shootId,
        provider: 'test',
        operation: 'imagine',
        params: { prompt: 'a garden' },
      });
      const onResult = await call(engine, 'recipes.run', {
        recipeId: (await recipe('vary')).id,
        variantIds: [result.id],
      });
      const dress = await recipe('dress');
      const withMask = await call(engine, 'recipes.run', {
        recipeId: dress.id,
        assetIds: [person.id],
        garment: { kind: 'asset', id: garment.id },
      });
      const withoutMask = await call(engine, 'recipes.run', {
        recipeId: dress.id,
        assetIds: [garment.id],
        garment: { kind: 'asset', id: person.id },
      });
      const garmentLater = await call(engine, 'recipes.run', { recipeId: dress.id, assetIds: [person.id] });
      const laterId = garmentLater.jobIds[0] ?? '';
      expect(await call(engine, 'jobs.get', { id: laterId })).toMatchObject({
        state: 'awaiting_input',
        waitingFor: 'garment',
      });
      // A garment is not a mask: the job says what it waits for.
      const wrong = await engine.call('jobs.provideInput', { id: laterId, input: { role: 'mask', maskId: tryon.id } });
      expect(wrong.ok).toBe(false);
      const given = await call(engine, 'jobs.provideInput', {
        id: laterId,
        input: { role: 'garment', target: { kind: 'asset', id: garment.id } },
      });
      expect(given).toMatchObject({ state: 'queued', waitingFor: null });
      const painted = await call(engine, 'recipes.run', {
        recipeId: (await recipe('paint')).id,
        assetIds: [garment.id],
      });
      // The mask is painted again after the job was planned: the job keeps the version it was planned with.
      const exteriorV2 = dot(
        garmentW,
        garmentH,
        (garmentW * 3) / 4,
        (garmentH * 3) / 4,
        Math.min(garmentW, garmentH) / 5,
      );
      expect(
        await call(engine, 'masks.save', { assetId: garment.id, purpose: 'exterior', content: exteriorV2 }),
      ).toMatchObject({ id: exterior.id, version: 2 });
      await engine.stop();

      const ids = {
        fromPrompt: fromPrompt.jobIds[0] ?? '',
        onResult: onResult.jobIds[0] ?? '',
        withMask: withMask.jobIds[0] ?? '',
        withoutMask: withoutMask.jobIds[0] ?? '',
        garmentLater: laterId,
        painted: painted.jobIds[0] ?? '',
      };
      const library = openDatabase(path.join(dataDir, 'shootline.db'));
      clearPause(library, 'global', '');
      library.close();

      // Kills at each kind of step boundary, then at random moments, then a run to the end.
      for (const kill of ['fetched:1', 'send:2', 'fetched:1', 'send:2', 'send:3']) {
        current = runChild(dataDir, server.url, kill);
        expect((await current.exited).signal).toBe('SIGKILL');
      }
      for (let arrival = 0; arrival < 2; arrival += 1) {
        killOnArrival = server.totals.submits + 1;
        current = runChild(dataDir, server.url);
        expect((await current.exited).signal).toBe('SIGKILL');
      }
      killOnArrival = 0;
      const random = seeded(17);
      for (let kill = 0; kill < 4; kill += 1) {
        current = runChild(dataDir, server.url);
        const before = server.totals.requests;
        const working = waitFor(
          () => server.totals.requests > before,
          () => 'the child made no request',
          30_000,
        ).then(
          () => 'working' as const,
          () => 'exited' as const,
        );
        if ((await Promise.race([working, current.exited.then(() => 'exited' as const)])) === 'exited') break;
        await new Promise((resolve) => setTimeout(resolve, random() * 400));
        current.child.kill('SIGKILL');
        await current.exited;
      }
      current = runChild(dataDir, server.url);
      const last = await current.exited;
      expect(last.output).toContain('settled');

      // Nothing lost, nothing paid twice.
      const db = openDatabase(path.join(dataDir, 'shootline.db'));
      cleanups.push(() => db.close());
      const unfinished = db
        .prepare("SELECT operation, state, last_error_code, last_error_message FROM jobs WHERE state != 'done'")
        .all();
      expect(countByState(db), JSON.stringify(unfinished)).toEqual({ done: 7 });
      expect(server.charged.size).toBe(7 * 2);
      expect([...server.charged.values()].filter((times) => times !== 1)).toEqual([]);

      // Each job sent the same, pinned inputs with every request it made, resends included.
      const sent = sentByJob(server);
      const only = (jobId: string): SentInputs => {
        const all = sent.get(jobId) ?? [];
        expect(all.length).toBeGreaterThanOrEqual(2);
        for (const each of all) expect(each).toEqual(all[0]);
        return all[0] ?? {};
      };
      expect(only(ids.fromPrompt)).toEqual({});

      const reopened = startTestEngine({ dataDir, providers: [rolesProvider(server.url)] }).engine;
      const resultFile = await reopened.resolveMedia({ kind: 'variant', id: result.mediaId });
      const resultPixels = await sharp(resultFile?.file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      expect(only(ids.onResult)).toEqual({
        source: { width: resultPixels.info.width, height: resultPixels.info.height, sha256: sha256(resultPixels.data) },
      });

      const masked = only(ids.withMask);
      const tryonPixels = rasterizeStrokes(MaskContentSchema.parse(tryonContent), personW, personH);
      expect(masked.mask).toEqual({
        maskId: tryon.id,
        version: 1,
        sha256: sha256(tryonPixels),
        selected: tryonPixels.filter((value) => value >= 128).length,
      });
      expect(masked.source).toMatchObject({ width: personW, height: personH });
      expect(masked.garment).toMatchObject({ width: garmentW, height: garmentH });
      const unmasked = only(ids.withoutMask);
      expect(unmasked.mask).toBeUndefined();
      // The same photos, read the same way, whichever role they play.
      expect(unmasked.source).toEqual(masked.garment);
      expect(unmasked.garment).toEqual(masked.source);
      expect(only(ids.garmentLater)).toEqual(masked);

      const paintedSent = only(ids.painted);
      const v1 = rasterizeStrokes(MaskContentSchema.parse(exteriorV1), garmentW, garmentH);
      const v2 = rasterizeStrokes(MaskContentSchema.parse(exteriorV2), garmentW, garmentH);
      expect(sha256(v1)).not.toBe(sha256(v2));
      expect(paintedSent.mask).toMatchObject({ maskId: exterior.id, version: 1, sha256: sha256(v1) });

      // The result made from a prompt belongs to the shoot: the shoot lists it as generated.
      const detail = await call(reopened, 'shoots.get', { id: shootId });
      expect(detail.generated.map((variant) => variant.jobId)).toEqual([ids.fromPrompt]);
      const jobs: Job[] = (await call(reopened, 'jobs.list', { limit: 50 })).jobs;
      expect(jobs.find((job) => job.id === ids.onResult)?.inputs.source).toEqual({
        kind: 'variant',
        variantId: result.id,
        assetId: person.id,
      });
    },
  );
});
