import { afterEach, describe, expect, it } from 'vitest';
import { AIVS_ID, MAX_PROMPT } from '../../main/engine/providers/aivisualstudio';
import { FORM_CHOICES } from '../sandbox/aivisualstudio/server';
import { aivsEngine, generate } from '../support/aivisualstudio';
import { call } from '../support/engine';
import { jobsEnded } from '../support/iacrea';

/**
 * Every reading of the doc's silent points (docs/providers/aivisualstudio.md), one sandbox switch
 * each: the adapter finishes its work in each, and our own checks refuse what the doc forbids
 * before anything is sent.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('AI Visual Studio in every reading of what the doc leaves open', () => {
  it.each(FORM_CHOICES.statuses)(
    'statuses "%s": a generation that ends well is saved, one that fails says so',
    async (statuses) => {
      const setup = await aivsEngine(cleanups, { sandbox: { forms: { statuses } } });
      const good = await generate(setup, 'image', { prompt: 'A teapot' });
      const [done] = await jobsEnded(setup.engine, good.jobIds);
      expect(done?.state).toBe('done');
      setup.sandbox.addFault({ kind: statuses === 'canceled' ? 'cancel' : 'fail', route: 'generate/image' });
      const bad = await generate(setup, 'image', { prompt: 'A broken teapot' });
      const [failed] = await jobsEnded(setup.engine, bad.jobIds);
      expect(failed?.state).toBe('failed');
      expect(failed?.lastError?.message).toContain('the image could not be made');
      expect(setup.sandbox.violations).toEqual([]);
    },
    60_000,
  );

  it.each(FORM_CHOICES.output)(
    'output "%s": the file is found and saved',
    async (output) => {
      const setup = await aivsEngine(cleanups, { sandbox: { forms: { output } } });
      const run = await generate(setup, 'video', { prompt: 'Leaves in the wind', duration: 1 });
      const [job] = await jobsEnded(setup.engine, run.jobIds);
      expect(job?.state).toBe('done');
      const variants = (await call(setup.engine, 'variants.list', {})).filter((variant) => variant.jobId === job?.id);
      expect(variants.map((variant) => [variant.kind, variant.mimeType])).toEqual([['video', 'video/mp4']]);
    },
    60_000,
  );

  it.each(FORM_CHOICES.single)(
    'a single generation "%s": read all the same',
    async (single) => {
      const setup = await aivsEngine(cleanups, { sandbox: { forms: { single } } });
      const run = await generate(setup, 'image', { prompt: 'A paper crane', outputFormat: 'jpg' });
      const [job] = await jobsEnded(setup.engine, run.jobIds);
      expect(job?.state).toBe('done');
    },
    60_000,
  );

  it.each(FORM_CHOICES.times.flatMap((times) => FORM_CHOICES.list.map((list) => [times, list] as const)))(
    'times "%s", listing "%s": a lost answer is found by its time in the listing',
    async (times, list) => {
      const setup = await aivsEngine(cleanups, {
        sandbox: { forms: { times, list }, faults: [{ kind: 'drop-after-charge', route: 'generate/image' }] },
      });
      const run = await generate(setup, 'image', { prompt: `A kettle, ${times} ${list}` });
      const [job] = await jobsEnded(setup.engine, run.jobIds);
      expect(job?.state).toBe('done');
      expect(job?.remoteId).toBe(setup.sandbox.ledger[0]?.generationId);
      expect(setup.sandbox.ledger).toHaveLength(1);
    },
    60_000,
  );
});

describe('AI Visual Studio: what the doc forbids is refused before anything is sent', () => {
  const RULES: [string, 'image' | 'video', Record<string, unknown>, string][] = [
    ['no prompt', 'image', {}, 'prompt'],
    ['an empty prompt', 'image', { prompt: '   ' }, 'prompt'],
    ['a prompt over the bound', 'image', { prompt: 'x'.repeat(MAX_PROMPT + 1) }, 'prompt'],
    ['an aspect ratio the doc does not list', 'image', { prompt: 'p', aspectRatio: '5:4' }, 'aspectRatio'],
    ['an image ratio for a video (3:2)', 'video', { prompt: 'p', aspectRatio: '3:2' }, 'aspectRatio'],
    ['a format the doc does not list', 'image', { prompt: 'p', outputFormat: 'gif' }, 'outputFormat'],
    ['a duration of 0 s', 'video', { prompt: 'p', duration: 0 }, 'duration'],
    ['a duration of 11 s', 'video', { prompt: 'p', duration: 11 }, 'duration'],
    ['a duration of 2.5 s', 'video', { prompt: 'p', duration: 2.5 }, 'duration'],
    ['a format for a video', 'video', { prompt: 'p', outputFormat: 'png' }, 'outputFormat'],
    ['a field the doc does not have', 'image', { prompt: 'p', seed: 42 }, 'seed'],
  ];

  it.each(RULES)('%s', async (_name, operation, params, field) => {
    const setup = await aivsEngine(cleanups);
    const answer = await setup.engine.call('shoots.runOperation', {
      shootId: setup.shootId,
      provider: AIVS_ID,
      operation,
      params,
    });
    expect(answer.ok).toBe(false);
    if (answer.ok) return;
    expect(answer.error.code).toBe('invalid_input');
    expect(answer.error.message).toContain(field);
    expect(setup.sandbox.requests.filter((request) => request.route.startsWith('generate'))).toEqual([]);
  });
});
