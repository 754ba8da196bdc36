import { describe, expect, it } from 'vitest';
import { methodNames, type ApiHandlers } from '../../shared/api';
import { AppError } from '../../shared/errors';
import { createLogger } from '../../main/engine/log';
import { dispatch } from '../../main/engine/rpc';

function handlers(overrides: Partial<ApiHandlers> = {}): ApiHandlers {
  const unused = (): never => {
    throw new Error('not called in this test');
  };
  const all = Object.fromEntries(methodNames.map((method) => [method, unused])) as unknown as ApiHandlers;
  return {
    ...all,
    'shoots.list': () => [],
    'shoots.create': ({ name }) => ({ id: 'id-1', name, createdAt: '2026-01-01T00:00:00.000Z' }),
    ...overrides,
  };
}

function capture(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger({ write: (line) => lines.push(line) }) };
}

describe('dispatch', () => {
  it('answers with the handler result for valid arguments, after the schema trims them', async () => {
    const { log } = capture();
    const envelope = await dispatch(handlers(), 'shoots.create', { name: '  Smith kitchen  ' }, log);
    expect(envelope).toEqual({
      ok: true,
      result: { id: 'id-1', name: 'Smith kitchen', createdAt: '2026-01-01T00:00:00.000Z' },
    });
  });

  it.each([
    ['a missing field', {}],
    ['a wrong type', { name: 42 }],
    ['an empty name', { name: '   ' }],
    ['a path separator', { name: 'a/b' }],
    ['an unknown extra field', { name: 'ok', extra: true }],
    ['no object at all', 'shoots'],
  ])('refuses %s with invalid_input and says which field', async (_label, args) => {
    const { log } = capture();
    const envelope = await dispatch(handlers(), 'shoots.create', args, log);
    expect(envelope.ok).toBe(false);
    if (envelope.ok) return;
    expect(envelope.error.code).toBe('invalid_input');
    expect(envelope.error.message.length).toBeGreaterThan(0);
    expect(envelope.error.details).toMatchObject({ issues: expect.any(Array) as unknown });
  });

  it.each([['shoots.explode'], ['__proto__'], ['constructor'], [42], [null]])(
    'refuses the unknown method %j',
    async (method) => {
      const { log } = capture();
      const envelope = await dispatch(handlers(), method, {}, log);
      expect(envelope).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    },
  );

  it('keeps the code, message and details of an AppError', async () => {
    const { log } = capture();
    const envelope = await dispatch(
      handlers({
        'shoots.list': () => {
          throw new AppError('insufficient_credits', 'AIXpose has 0 credits left.', { provider: 'aixpose' });
        },
      }),
      'shoots.list',
      {},
      log,
    );
    expect(envelope).toEqual({
      ok: false,
      error: { code: 'insufficient_credits', message: 'AIXpose has 0 credits left.', details: { provider: 'aixpose' } },
    });
  });

  it('turns a bug into `internal` without leaking its message, and logs it', async () => {
    const { log, lines } = capture();
    const envelope = await dispatch(
      handlers({
        'shoots.list': () => {
          throw new TypeError('cannot read /home/ana/secret-path');
        },
      }),
      'shoots.list',
      {},
      log,
    );
    expect(envelope.ok).toBe(false);
    if (envelope.ok) return;
    expect(envelope.error.code).toBe('internal');
    expect(envelope.error.message).not.toContain('secret-path');
    expect(lines.join('\n')).toContain('secret-path');
  });

  it('says which field is required, in words', async () => {
    const { log } = capture();
    const envelope = await dispatch(handlers(), 'jobs.resolveReview', { id: 'j1' }, log);
    expect(envelope).toMatchObject({ ok: false, error: { code: 'invalid_input', message: 'action is required' } });
  });

  it('describes 50,000 bad entries by the first few and a count, in a short message', async () => {
    const { log } = capture();
    const states = Array.from({ length: 50_000 }, (_, index) => `state-${index}-${'x'.repeat(50)}`);
    const envelope = await dispatch(handlers(), 'jobs.list', { states }, log);
    expect(envelope.ok).toBe(false);
    if (envelope.ok) return;
    expect(envelope.error.code).toBe('invalid_input');
    expect(envelope.error.message).toMatch(/^states: /);
    expect(envelope.error.message.length).toBeLessThan(2000);
    expect(JSON.stringify(envelope).length).toBeLessThan(10_000);
  });

  it('lists five problems and "and N more" when there are many', async () => {
    const { log } = capture();
    const envelope = await dispatch(
      handlers(),
      'recipes.estimate',
      { recipeId: 'r', assetIds: Array(12).fill(7) },
      log,
    );
    expect(envelope.ok).toBe(false);
    if (envelope.ok) return;
    expect(envelope.error.message.split('; ')).toHaveLength(6);
    expect(envelope.error.message).toMatch(/; and 7 more$/);
    expect(envelope.error.details).toMatchObject({ total: 12 });
  });

  it('refuses settings keys and values past their bounds without echoing them', async () => {
    const { log } = capture();
    const longKey = 'k'.repeat(100_000);
    const envelope = await dispatch(
      handlers(),
      'providers.estimate',
      { provider: 'local', operation: 'enhance', params: { [longKey]: 1 } },
      log,
    );
    expect(envelope.ok).toBe(false);
    if (envelope.ok) return;
    expect(envelope.error.code).toBe('invalid_input');
    expect(JSON.stringify(envelope).length).toBeLessThan(2000);
  });
});
