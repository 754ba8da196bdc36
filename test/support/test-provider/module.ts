import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';
import { createParser } from 'eventsource-parser';
import type { PollResult, ProviderModule, RemoteJob, SubmitContext } from '../../../main/engine/providers/contract';
import type { AccountField } from '../../../shared/providers';

/**
 * What a submit tells the server about its inputs, so a test can check the provider received the
 * pinned ones: each picture's size and the SHA-256 of its upright pixels, and the mask rendered at
 * the source's size (its hash and how many pixels it selects).
 */
export interface SentInputs {
  source?: { width: number; height: number; sha256: string };
  garment?: { width: number; height: number; sha256: string };
  mask?: { maskId: string; version: number; sha256: string; selected: number };
  variants?: string[];
}

/** Where a signed test provider keeps its webhook secret: stored, never sent. */
const WEBHOOK_SECRET_FIELD: AccountField = {
  id: 'webhook-secret',
  label: 'Webhook secret',
  secret: true,
  send: { never: true },
};

/** A job's status as the server words it (a poll's body, or one event of its stream). */
/**
 * The remote job as this provider keeps it: where its status is read is kept as data beside the
 * id (as a real module keeps a project or a kind of work), so every test through the queue proves
 * the data comes back to `poll` and `watch` as it was given, across restarts too.
 */
function remoteOf(id: string): RemoteJob {
  return { id, data: { statusPath: `/jobs/${encodeURIComponent(id)}` } };
}

function statusPathOf(remote: RemoteJob): string {
  // A job from a library written before remote jobs carried data (test/integration/library-upgrade.test.ts).
  if (remote.data === undefined) return `/jobs/${encodeURIComponent(remote.id)}`;
  const path = remote.data.statusPath;
  if (typeof path !== 'string') throw new Error(`The queue lost the data of remote job ${remote.id}.`);
  return path;
}

const StatusSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('pending') }),
  z.object({
    status: z.literal('failed'),
    error: z.object({ message: z.string().max(2000), code: z.string().max(200).optional() }).optional(),
    refunded: z.union([z.literal(true), z.number().nonnegative(), z.null()]).optional(),
  }),
  z.object({
    status: z.literal('done'),
    outputs: z
      .array(z.object({ index: z.number().int().min(0), url: z.string().optional(), data: z.string().optional() }))
      .max(16)
      .optional(),
  }),
]);

/** A status in the provider's words, read as hostile input: null when it is not one. */
function readStatus(value: unknown): PollResult | null {
  const parsed = StatusSchema.safeParse(value);
  if (!parsed.success) return null;
  const body = parsed.data;
  if (body.status === 'pending') return { status: 'pending' };
  if (body.status === 'failed') {
    return {
      status: 'failed',
      message: body.error?.message ?? 'The job failed.',
      ...(body.error?.code ? { providerCode: body.error.code } : {}),
      ...(body.refunded === null || body.refunded === undefined ? {} : { refunded: body.refunded }),
    };
  }
  return {
    status: 'done',
    outputs: (body.outputs ?? []).map((output) => ({
      index: output.index,
      url: output.url ?? `data:image/png;base64,${output.data ?? ''}`,
      kind: 'image' as const,
    })),
  };
}

function statusOf(text: string): PollResult {
  const status = readStatus(JSON.parse(text));
  if (!status) throw new SyntaxError(`Not a status: ${text.slice(0, 80)}`);
  return status;
}

async function describeInputs(context: SubmitContext): Promise<SentInputs> {
  const { inputs } = context.job;
  const sent: SentInputs = {};
  const picture = async (ref: NonNullable<typeof inputs.source>) => {
    const photo = await context.inputs.image(ref);
    const pixels = await photo.pipeline().removeAlpha().raw().toBuffer();
    return { width: photo.width, height: photo.height, sha256: createHash('sha256').update(pixels).digest('hex') };
  };
  if (inputs.source) sent.source = await picture(inputs.source);
  if (inputs.garment) sent.garment = await picture(inputs.garment);
  if (inputs.mask && sent.source) {
    const mask = await context.inputs.mask(inputs.mask, sent.source.width, sent.source.height);
    sent.mask = {
      ...inputs.mask,
      sha256: createHash('sha256').update(mask).digest('hex'),
      selected: mask.reduce((count, value) => count + (value >= 128 ? 1 : 0), 0),
    };
  }
  if (inputs.variants) sent.variants = inputs.variants;
  return sent;
}

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
  /** What the account needs (secret headers, a body field…); none by default. */
  accountFields?: AccountField[];
  /** Read every input (pictures, the mask) and tell the server what they were (see SentInputs). */
  sendInputs?: boolean;
  /** Hear each job's status on the server's event stream (GET /jobs/:id/stream), polling as the fallback. */
  stream?: boolean;
  /** How long the stream may stay silent before the queue gives up on it. */
  streamIdleMs?: number;
  /**
   * Hear webhook deliveries `{ id, deliveryId?, status? }` (status in the poll's words): `signed`
   * checks `x-test-signature` (t=…,v1=HMAC of "<t>.<JSON.stringify(body)>", AI Visual Studio's way)
   * against the account's `webhook-secret`; `unsigned` takes a delivery as a hint only.
   */
  webhook?: 'signed' | 'unsigned';
}): ProviderModule {
  const steps = options.steps ?? ['create'];
  let unreadablePolls = options.unreadablePolls ?? 0;
  return {
    id: options.id,
    name: `Test provider ${options.id}`,
    // A provider that signs its webhooks has a secret to check them with.
    accountFields: [...(options.accountFields ?? []), ...(options.webhook === 'signed' ? [WEBHOOK_SECRET_FIELD] : [])],
    unit: { one: 'credit', many: 'credits', fractionDigits: 2 },
    generative: true,
    baseUrl: options.baseUrl,
    capabilities: {
      idempotentSubmit: options.idempotentSubmit,
      reconcile: options.reconcile ?? false,
      webhooks: false,
      stream: options.stream === true,
    },
    reconcile: options.reconcile
      ? async (context) => {
          const key = `${context.job.idempotencyKey}.${steps[0] ?? 'create'}`;
          const response = await context.request({
            method: 'GET',
            url: `${context.baseUrl}/submissions?key=${encodeURIComponent(key)}`,
            timeoutMs: 10_000,
          });
          const [found] = (JSON.parse(response.body.toString('utf8')) as { items: { id: string }[] }).items;
          return found ? { outcome: 'adopt', remote: remoteOf(found.id) } : { outcome: 'absent' };
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
        inputs: { source: 'image' },
        paid: true,
        effect: 'composite',
      },
      paint: {
        label: 'Paint an area',
        description: 'Works inside a painted exterior mask.',
        params: z.object({}).strict(),
        hints: {},
        inputs: { source: 'photo', mask: { purpose: 'exterior', required: true } },
        paid: true,
        effect: 'composite',
        disclosure: 'Concept render',
      },
      imagine: {
        label: 'Imagine',
        description: 'Makes an image from a prompt alone.',
        params: z.object({ prompt: z.string().max(200).default('a house') }).strict(),
        hints: { prompt: { label: 'Prompt' } },
        inputs: { source: 'none' },
        paid: true,
        effect: 'generated',
      },
      vary: {
        label: 'Vary',
        description: 'Makes a variation of an earlier result.',
        params: z.object({}).strict(),
        hints: {},
        inputs: { source: 'variant' },
        paid: true,
        effect: 'generated',
      },
      dress: {
        label: 'Dress',
        description: 'Puts a garment on the person, inside a try-on mask if one is painted.',
        params: z.object({}).strict(),
        hints: {},
        inputs: { source: 'photo', garment: true, mask: { purpose: 'tryon', required: false } },
        paid: true,
        effect: 'composite',
      },
    },
    account: options.withBalance
      ? {
          balance: async (context) => {
            const response = await context.request({
              method: 'GET',
              url: `${context.baseUrl}/balance`,
              timeoutMs: 10_000,
            });
            return (JSON.parse(response.body.toString('utf8')) as { credits: number }).credits;
          },
        }
      : undefined,
    estimateCost: (_operation, params) => ({ credits: typeof params.variants === 'number' ? params.variants : 1 }),
    submit: async (context) => {
      const sent = options.sendInputs ? await describeInputs(context) : {};
      let remoteId = '';
      for (const step of steps) {
        const answer = await context.step(step, async (key) => {
          const response = await context.request({
            method: 'POST',
            url: `${context.baseUrl}/submit/${step}`,
            headers: { 'idempotency-key': key, 'content-type': 'application/json' },
            body: JSON.stringify({ job: context.job.id, operation: context.job.operation, inputs: sent }),
            timeoutMs: 10_000,
          });
          if (options.unreadableSubmitAnswer) throw new TypeError('Unexpected token < in JSON at position 0');
          const { id } = JSON.parse(response.body.toString('utf8')) as { id: string };
          return { remoteId: id, result: null };
        });
        remoteId = answer.remoteId ?? remoteId;
      }
      return { remote: remoteOf(remoteId) };
    },
    poll: async (context, remote) => {
      const response = await context.request({
        method: 'GET',
        url: `${context.baseUrl}${statusPathOf(remote)}`,
        timeoutMs: 10_000,
      });
      if (unreadablePolls > 0) {
        unreadablePolls -= 1;
        throw new SyntaxError('Unexpected end of JSON input');
      }
      return statusOf(response.body.toString('utf8'));
    },
    watch: options.stream
      ? async (context, remote, report) => {
          // Server-Sent Events, one status per event, read as they arrive.
          const decoder = new TextDecoder();
          const parser = createParser({ onEvent: (event) => report(statusOf(event.data)) });
          await context.request({
            method: 'GET',
            url: `${context.baseUrl}${statusPathOf(remote)}/stream`,
            headers: { accept: 'text/event-stream' },
            timeoutMs: 10_000,
            stream: {
              idleMs: options.streamIdleMs ?? 30_000,
              onChunk: (chunk) => parser.feed(decoder.decode(chunk, { stream: true })),
            },
          });
        }
      : undefined,
    streamIdleMs: options.streamIdleMs,
    webhook: options.webhook
      ? {
          ...(options.webhook === 'signed'
            ? {
                signature: {
                  header: 'x-test-signature',
                  content: 'json' as const,
                  toleranceSeconds: 300,
                  secretField: WEBHOOK_SECRET_FIELD.id,
                },
              }
            : {}),
          parse: (body) => {
            if (typeof body !== 'object' || body === null) return null;
            const { id, deliveryId, status } = body as { id?: unknown; deliveryId?: unknown; status?: unknown };
            if (typeof id !== 'string') return null;
            const reported = status === undefined ? undefined : readStatus(status);
            if (reported === null) return null;
            return {
              remoteId: id,
              ...(typeof deliveryId === 'string' ? { deliveryId } : {}),
              ...(reported ? { status: reported } : {}),
            };
          },
        }
      : undefined,
    fetchOutputs: async (context, _remote, outputs) => {
      const fetched = [];
      for (const output of outputs) {
        if (output.url?.startsWith('data:')) {
          const bytes = Buffer.from(output.url.slice(output.url.indexOf(',') + 1), 'base64');
          fetched.push({ index: output.index, kind: output.kind, mimeType: 'image/png', bytes });
          continue;
        }
        const response = await context.request({
          method: 'GET',
          url: `${context.baseUrl}${output.url ?? ''}`,
          timeoutMs: 10_000,
        });
        fetched.push({
          index: output.index,
          kind: output.kind,
          mimeType: 'image/png',
          bytes: response.body,
        });
      }
      return fetched;
    },
  };
}

/** Signs a webhook delivery the way the test provider checks it (AI Visual Studio's scheme). */
export function signTestDelivery(secret: string, body: unknown, seconds: number): string {
  const hex = createHmac('sha256', secret)
    .update(`${seconds}.${JSON.stringify(body)}`)
    .digest('hex');
  return `t=${seconds},v1=${hex}`;
}
