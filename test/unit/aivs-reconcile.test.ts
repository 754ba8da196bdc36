import { describe, expect, it } from 'vitest';
import type { HttpResponse } from '../../main/engine/net/http';
import type { ReconcileContext } from '../../main/engine/providers/contract';
import { findLostGeneration, type LostRequest } from '../../main/engine/providers/aivisualstudio/reconcile';

/**
 * The rules that pick a lost submit's generation out of AI Visual Studio's listing, on listings
 * the sandbox cannot produce (times nobody can read, a generation listed twice as pages shift).
 * Only the provider's answers are made up here; the code under test is the adapter's own.
 */

const SENT_AT = Date.parse('2026-12-07T10:00:00Z');
const WANT = { prompt: 'A lamp', model: 'prunaai/z-image-turbo' };

function generation(id: string, createdAt: string | null, prompt = WANT.prompt) {
  return {
    id,
    type: 'image',
    status: 'completed',
    prompt,
    model: WANT.model,
    credits_charged: 5,
    created_at: createdAt,
  };
}

function context(
  pages: unknown[][],
  options: { claimed?: string[]; rivals?: { operation: string; params: Record<string, unknown> }[] } = {},
): ReconcileContext {
  let page = 0;
  const answer = (body: unknown): HttpResponse =>
    ({
      status: 200,
      body: Buffer.from(JSON.stringify(body)),
      header: (name: string) => (name === 'date' ? new Date(SENT_AT + 1_000).toUTCString() : null),
    }) as unknown as HttpResponse;
  return {
    baseUrl: 'http://127.0.0.1:9',
    now: () => SENT_AT + 1_000,
    request: () => Promise.resolve(answer({ data: pages[page++] ?? [] })),
    job: { id: 'job-1', shootId: null, operation: 'image', params: WANT, inputs: {}, idempotencyKey: 'k' },
    lost: { step: 'generate', sentAt: SENT_AT },
    claimed: (ids: readonly string[]) => new Set(ids.filter((id) => options.claimed?.includes(id))),
    rivals: () => options.rivals ?? [],
  } as unknown as ReconcileContext;
}

const requestOf = (_operation: string, params: Record<string, unknown>): LostRequest => ({
  type: 'image',
  model: String(params.model),
  prompt: String(params.prompt),
});

describe('finding a lost AI Visual Studio generation', () => {
  it('adopts the one unclaimed generation of the prompt made while the request could have been handled', async () => {
    const found = await findLostGeneration(
      context([[generation('gen_new', '2026-12-07T10:00:02Z'), generation('gen_old', '2026-12-07T09:00:00Z')]]),
      requestOf,
    );
    expect(found).toEqual({
      outcome: 'adopt',
      remote: { id: 'gen_new', data: { kind: 'image', model: WANT.model } },
      charged: 5,
    });
  });

  it('never adopts a generation whose time cannot be read: it sends the job to review', async () => {
    const found = await findLostGeneration(context([[generation('gen_when', 'yesterday-ish')]]), requestOf);
    expect(found).toMatchObject({ outcome: 'review' });
    if (found.outcome === 'review') expect(found.reason).toContain('its time could not be read');
  });

  it('a generation listed twice (pages shifted) is one candidate', async () => {
    const page = Array.from({ length: 100 }, (_, index) =>
      generation(`gen_${index}`, '2026-12-07T10:00:03Z', `other ${index}`),
    );
    page[99] = generation('gen_mine', '2026-12-07T10:00:02Z');
    const found = await findLostGeneration(
      context([page, [generation('gen_mine', '2026-12-07T10:00:02Z')]]),
      requestOf,
    );
    expect(found).toMatchObject({ outcome: 'adopt', remote: { id: 'gen_mine' } });
  });

  it('another job that sent the same request unanswered makes a single match ambiguous; a different one does not', async () => {
    const listing = [[generation('gen_one', '2026-12-07T10:00:02Z')]];
    const same = await findLostGeneration(
      context(listing, { rivals: [{ operation: 'image', params: { ...WANT, aspectRatio: '16:9' } }] }),
      requestOf,
    );
    expect(same).toMatchObject({ outcome: 'review' });
    const other = await findLostGeneration(
      context(listing, { rivals: [{ operation: 'image', params: { ...WANT, prompt: 'A chair' } }] }),
      requestOf,
    );
    expect(other).toMatchObject({ outcome: 'adopt' });
  });

  it('a candidate another job holds is not adopted', async () => {
    const found = await findLostGeneration(
      context([[generation('gen_taken', '2026-12-07T10:00:02Z')]], { claimed: ['gen_taken'] }),
      requestOf,
    );
    expect(found).toMatchObject({ outcome: 'review' });
  });
});
