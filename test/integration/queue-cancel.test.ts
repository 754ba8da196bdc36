import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job, JobState } from '../../shared/jobs';
import { createAixposeProvider } from '../../main/engine/providers/aixpose';
import { httpRequest, ProviderRequestError } from '../../main/engine/net/http';
import { startAixposeSandbox } from '../sandbox/aixpose/server';
import { corpusPath, TEN_PHOTOS } from '../support/corpus';
import { assetsOf, call, startTestEngine, until } from '../support/engine';
import { tempDir } from '../support/temp';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('cancelling work', () => {
  it('a request whose signal is already aborted is refused without touching the network, and nothing throws later', async () => {
    let connections = 0;
    const server = http.createServer((_request, response) => response.end('ok'));
    server.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as { port: number };
    const controller = new AbortController();
    controller.abort();
    const error = await httpRequest({
      method: 'GET',
      url: `http://127.0.0.1:${port}/`,
      signal: controller.signal,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderRequestError);
    expect((error as ProviderRequestError).failure).toEqual({ kind: 'aborted' });
    // A late ECONNRESET from a destroyed request would surface here as an unhandled error.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(connections).toBe(0);
  });

  it('a cancel while the request is in flight rejects it as canceled', async () => {
    const server = http.createServer(() => undefined); // never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    });
    const { port } = server.address() as { port: number };
    const controller = new AbortController();
    const pending = httpRequest({
      method: 'POST',
      url: `http://127.0.0.1:${port}/`,
      body: 'x',
      signal: controller.signal,
    });
    await new Promise((resolve) => server.once('request', resolve));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ failure: { kind: 'aborted' } });
  });

  it('cancelling jobs in every state 200 times against the AIXpose sandbox leaves the engine running', async ({
    annotate,
  }) => {
    const sandbox = await startAixposeSandbox({ apiKey: 'aix_cancel_key_1234', credits: 1_000_000, speed: 200 });
    cleanups.push(() => sandbox.close());
    const { engine, logLines } = startTestEngine({
      stabilityMs: 200,
      providers: [createAixposeProvider({ pollIntervalMs: 20 })],
    });
    await call(engine, 'providers.configure', { provider: 'aixpose', baseUrl: sandbox.baseUrl, concurrency: 8 });
    await call(engine, 'providers.setKey', { provider: 'aixpose', key: 'aix_cancel_key_1234' });
    const root = path.join(fs.realpathSync(tempDir()), 'Listings');
    const unapprovedRoot = path.join(fs.realpathSync(tempDir()), 'Drafts');
    fs.mkdirSync(path.join(root, 'Approved'), { recursive: true });
    fs.mkdirSync(path.join(unapprovedRoot, 'Unapproved'), { recursive: true });
    await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null, spendingCap: null, autoApprove: true });
    await call(engine, 'hotFolders.add', {
      path: unapprovedRoot,
      defaultRecipeId: null,
      spendingCap: 100,
      autoApprove: false,
    });
    for (const photo of TEN_PHOTOS)
      fs.copyFileSync(corpusPath(photo), path.join(root, 'Approved', path.basename(photo)));
    for (const photo of TEN_PHOTOS.slice(0, 2)) {
      // Different bytes, so they are their own assets (the same content would be a duplicate).
      fs.writeFileSync(
        path.join(unapprovedRoot, 'Unapproved', `draft-${path.basename(photo)}`),
        Buffer.concat([fs.readFileSync(corpusPath(photo)), Buffer.from('draft')]),
      );
    }
    const all = await until(
      () => assetsOf(engine),
      (list) => list.length === TEN_PHOTOS.length + 2 && list.every((asset) => asset.state === 'ok'),
    );
    const assets = all.filter((asset) => !path.basename(asset.relativePath).startsWith('draft-'));
    const drafts = all.filter((asset) => path.basename(asset.relativePath).startsWith('draft-'));
    const recipe = await call(engine, 'recipes.create', {
      name: 'Enhance',
      provider: 'aixpose',
      operation: 'enhance',
      params: { actions: ['interior-style-japandi'], variants: 1 },
    });

    // Each job is cancelled when it reaches the state it was given, in turn; jobs that ran past
    // theirs are cancelled wherever they are, and finished ones are asked too (and refuse).
    const targets: JobState[] = ['queued', 'preparing', 'submitting', 'remote', 'fetching', 'done'];
    const targetOf = new Map<string, JobState>();
    const cancelledAt: Record<string, number> = {};
    const answers: Promise<unknown>[] = [];
    let cancels = 0;
    const cancel = (job: Job): void => {
      cancels += 1;
      cancelledAt[job.state] = (cancelledAt[job.state] ?? 0) + 1;
      answers.push(
        engine.call('jobs.cancel', { id: job.id }).then((envelope) => {
          // A refusal is fine (the job moved on, or was already finished); a crash or `internal` is not.
          if (!envelope.ok) expect(envelope.error.code).toBe('conflict');
        }),
      );
    };
    const stopListening = engine.events.listen((event, payload) => {
      if (event !== 'job.updated') return;
      const job = payload as Job;
      const target = targetOf.get(job.id);
      if (!target) return;
      if (job.state === target || (job.state === 'done' && target !== 'done')) {
        targetOf.delete(job.id);
        cancel(job);
      }
    });
    cleanups.push(stopListening);

    let round = 0;
    while (cancels < 200) {
      const run = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds: assets.map((asset) => asset.id) });
      for (const jobId of run.jobIds) {
        const target = targets[round++ % targets.length] ?? 'queued';
        // A new job was announced as queued before its id came back: cancel those at once.
        if (target === 'queued') cancel(await call(engine, 'jobs.get', { id: jobId }));
        else targetOf.set(jobId, target);
      }
      await until(
        async () => (await call(engine, 'jobs.list', { limit: 500 })).jobs,
        (jobs) => jobs.every((job) => ['done', 'failed', 'canceled', 'needs_review'].includes(job.state)),
      );
      await Promise.all(answers.splice(0));
    }
    // Waiting for approval is a state too: a shoot without auto-approval parks paid jobs there.
    const parked = await call(engine, 'recipes.run', {
      recipeId: recipe.id,
      assetIds: drafts.map((asset) => asset.id),
    });
    expect(parked.awaitingApproval).toBe(2);
    for (const jobId of parked.jobIds) cancel(await call(engine, 'jobs.get', { id: jobId }));
    await Promise.all(answers.splice(0));

    expect(cancels).toBeGreaterThanOrEqual(200);
    for (const state of ['awaiting_input', 'queued', 'submitting', 'remote', 'done'] as const) {
      expect(cancelledAt[state] ?? 0, `cancels in ${state}: ${JSON.stringify(cancelledAt)}`).toBeGreaterThan(0);
    }
    await annotate(`cancels by state: ${JSON.stringify(cancelledAt)}`);
    expect((await engine.call('engine.info', {})).ok).toBe(true);
    expect(logLines.filter((line) => line.includes('"level":"error"'))).toEqual([]);
    expect(sandbox.violations).toEqual([]);
  }, 180_000);
});
