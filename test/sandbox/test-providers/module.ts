import { z } from 'zod';
import type { ProviderModule } from '../../../main/engine/providers/contract';

/**
 * The provider module for a test provider server: the same contract a real provider implements,
 * with one paid request per submit step.
 */
export function testProviderModule(options: {
  id: string;
  baseUrl: string;
  idempotentSubmit: boolean;
  steps?: readonly string[];
  rateLimit?: { requests: number; windowMs: number };
  concurrency?: number;
  pollIntervalMs?: number;
  /** The server reports a balance at GET /balance. */
  withBalance?: boolean;
  /** Ask the server's listing whether a lost submit arrived (single-step submits only). */
  reconcile?: boolean;
  /** Throw after a submit's 200 answer, as a provider module would on a body it cannot read. */
  unreadableSubmitAnswer?: boolean;
  /** Throw on this many status answers first, as on a body the module cannot read. */
  unreadablePolls?: number;
}): ProviderModule {
  const steps = options.steps ?? ['create'];
  let unreadablePolls = options.unreadablePolls ?? 0;
  return {
    id: options.id,
    name: `Test provider ${options.id}`,
    auth: 'none',
    baseUrl: options.baseUrl,
    capabilities: {
      idempotentSubmit: options.idempotentSubmit,
      reconcile: options.reconcile ?? false,
      webhooks: false,
      stream: false,
    },
    reconcile: options.reconcile
      ? async (context) => {
          const key = `${context.job.idempotencyKey}.${steps[0] ?? 'create'}`;
          const response = await context.request({
            method: 'GET',
            url: `${options.baseUrl}/submissions?key=${encodeURIComponent(key)}`,
            timeoutMs: 10_000,
          });
          const [found] = (JSON.parse(response.body.toString('utf8')) as { items: { id: string }[] }).items;
          return found ? { found: true, remoteId: found.id } : { found: false };
        }
      : undefined,
    rateLimit: options.rateLimit,
    concurrency: options.concurrency,
    pollIntervalMs: options.pollIntervalMs ?? 10,
    operations: {
      generate: {
        label: 'Generate',
        description: 'Makes one image.',
        params: z.object({ variants: z.number().int().min(1).max(4).default(1) }).strict(),
        hints: { variants: { label: 'Variants' } },
        inputs: { image: true },
        paid: true,
      },
      paint: {
        label: 'Paint an area',
        description: 'Works inside a painted exterior mask.',
        params: z.object({}).strict(),
        hints: {},
        inputs: { image: true, mask: 'exterior' },
        paid: true,
      },
    },
    account: options.withBalance
      ? {
          balance: async (context) => {
            const response = await context.request({
              method: 'GET',
              url: `${options.baseUrl}/balance`,
              timeoutMs: 10_000,
            });
            return (JSON.parse(response.body.toString('utf8')) as { credits: number }).credits;
          },
        }
      : undefined,
    estimateCost: (_operation, params) => ({ credits: typeof params.variants === 'number' ? params.variants : 1 }),
    submit: async (context) => {
      let remoteId = '';
      for (const step of steps) {
        const answer = await context.step(step, async (key) => {
          const response = await context.request({
            method: 'POST',
            url: `${options.baseUrl}/submit/${step}`,
            headers: { 'idempotency-key': key, 'content-type': 'application/json' },
            body: JSON.stringify({ job: context.job.id }),
            timeoutMs: 10_000,
          });
          if (options.unreadableSubmitAnswer) throw new TypeError('Unexpected token < in JSON at position 0');
          const { id } = JSON.parse(response.body.toString('utf8')) as { id: string };
          return { remoteId: id, result: null };
        });
        remoteId = answer.remoteId ?? remoteId;
      }
      return { remoteId };
    },
    poll: async (context, remoteId) => {
      const response = await context.request({
        method: 'GET',
        url: `${options.baseUrl}/jobs/${remoteId}`,
        timeoutMs: 10_000,
      });
      if (unreadablePolls > 0) {
        unreadablePolls -= 1;
        throw new SyntaxError('Unexpected end of JSON input');
      }
      const body = JSON.parse(response.body.toString('utf8')) as {
        status: 'pending' | 'done';
        outputs?: { index: number; url?: string; data?: string }[];
      };
      if (body.status === 'pending') return { status: 'pending' };
      return {
        status: 'done',
        outputs: (body.outputs ?? []).map((output) => ({
          index: output.index,
          url: output.url ?? `data:image/png;base64,${output.data ?? ''}`,
          kind: 'image' as const,
        })),
      };
    },
    fetchOutputs: async (context, _remoteId, outputs) => {
      const fetched = [];
      for (const output of outputs) {
        if (output.url?.startsWith('data:')) {
          const bytes = Buffer.from(output.url.slice(output.url.indexOf(',') + 1), 'base64');
          fetched.push({ index: output.index, kind: output.kind, mimeType: 'image/png', bytes, width: 1, height: 1 });
          continue;
        }
        const response = await context.request({
          method: 'GET',
          url: `${options.baseUrl}${output.url ?? ''}`,
          timeoutMs: 10_000,
        });
        fetched.push({
          index: output.index,
          kind: output.kind,
          mimeType: 'image/png',
          bytes: response.body,
          width: 1,
          height: 1,
        });
      }
      return fetched;
    },
  };
}
