import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../../../shared/errors';
import { stagingMissingMessage } from '../../staging/staging';
import { UnreadablePaidAnswer, type FetchedOutput, type InputPhoto, type ProviderModule } from '../contract';
import {
  asRecord,
  parseJson,
  pickList,
  pickNumber,
  pickRecord,
  pickString,
  excerpt,
  readCharge,
  workStatus,
  type WorkStatus,
} from '../../net/tolerant';
import { downloadImageOutput } from '../download';
import { ProviderRequestError, type HttpResponse } from '../../net/http';

/**
 * ProductAI (docs: ../shared/api-docs/productai.txt; assumptions: docs/providers/productai.md).
 * URL-only inputs, so every photo goes through the user's staging storage; 15 requests a minute,
 * polls included; no idempotency key, so a submit whose answer was lost is never resent on its own
 * (the queue sends it to review).
 */
export const PRODUCTAI_ID = 'productai';
export const PRODUCTAI_BASE_URL = 'https://api.productai.photo/v1';

export const PRODUCTAI_MODELS = [
  'gpt-low',
  'gpt-medium',
  'gpt-high',
  'kontext-pro',
  'nanobanana',
  'nanobananapro',
  'seedream',
] as const;

/** Tokens per operation, from the doc's pricing table (deducted when the operation starts). */
const MODEL_TOKENS: Record<(typeof PRODUCTAI_MODELS)[number], number> = {
  'gpt-low': 2,
  'gpt-medium': 3,
  'gpt-high': 8,
  'kontext-pro': 3,
  nanobanana: 3,
  nanobananapro: 8,
  seedream: 3,
};
const UPSCALE_TOKENS = 20;

/** The doc: each image below 10 MB, PNG, JPG or WebP. */
const MAX_INPUT_BYTES = 10_000_000;
/** The doc asks for 3–5 s between polls; long jobs are polled less often, up to 20 s. */
const POLL_MS = 4_000;
const POLL_CAP_MS = 20_000;

const GenerateParamsSchema = z
  .object({
    model: z.enum(PRODUCTAI_MODELS).default('kontext-pro'),
    prompt: z.string().trim().min(1, 'Describe the result you want.').max(4000),
  })
  .strict();
const UpscaleParamsSchema = z.object({}).strict();

/**
 * A job as ProductAI describes it, read in every form its doc leaves open (docs/providers/productai.md):
 * wrapped in `{status:'OK', data}` or bare; the id a number or a string; status words in any case
 * (RUNNING, QUEUED, IN_PROGRESS, COMPLETED, ERROR, FAILED…); the image as `image_url` (a string or
 * a list) or `images: [{url}]`; what was charged as `tokens_used` or `cost: {tokens, balance}`.
 */
interface JobAnswer {
  id?: string;
  status: WorkStatus;
  imageUrl?: string;
  charged?: number;
  balance?: number;
  /** The provider's words on a failed job. */
  why?: string;
}

function readJob(raw: Buffer): JobAnswer | null {
  const body = parseJson(raw);
  const root = asRecord(body);
  if (!root) return null;
  const job = pickRecord(root, 'data', 'job') ?? root;
  const id = pickString(job, 'id', 'job_id', 'jobId');
  const urls = pickList(job, 'image_url', 'images', 'image_urls', 'output') ?? [];
  const imageUrl =
    pickString(job, 'image_url', 'url', 'output_url') ??
    urls.map((entry) => (typeof entry === 'string' ? entry : pickString(entry, 'url', 'image_url'))).find(Boolean);
  const cost = pickRecord(job, 'cost', 'billing', 'usage');
  const charged =
    pickNumber(job, 'tokens_used', 'tokens', 'credits_used', 'cost') ?? pickNumber(cost, 'tokens', 'credits', 'amount');
  const balance = pickNumber(job, 'balance', 'tokens_left') ?? pickNumber(cost, 'balance', 'remaining');
  const why = pickString(job, 'error', 'message', 'details', 'reason');
  return {
    ...(id ? { id } : {}),
    status: workStatus(pickString(job, 'status', 'state')),
    ...(imageUrl ? { imageUrl } : {}),
    ...(charged === undefined ? {} : { charged }),
    ...(balance === undefined ? {} : { balance }),
    ...(why ? { why } : {}),
  };
}

/** OUT_OF_TOKENS in any of its forms (any status, the doc's body, a nested code, a 200 with ERROR). */
function isOutOfTokens(raw: Buffer): boolean {
  return raw.toString('utf8').includes('OUT_OF_TOKENS');
}

export interface ProductaiOptions {
  /** Between polls of one job (default 4 s; tests against the sandbox go faster). */
  pollIntervalMs?: number;
  /** The documented 15 per minute unless a sandbox is told otherwise. */
  rateLimit?: { requests: number; windowMs: number };
}

export function createProductaiProvider(options: ProductaiOptions = {}): ProviderModule {
  const pollMs = options.pollIntervalMs ?? POLL_MS;
  const pollsSeen = new Map<string, number>();

  const outOfTokens = (response: HttpResponse): ProviderRequestError =>
    new ProviderRequestError(
      'ProductAI is out of tokens.',
      { kind: 'http', status: response.status, providerCode: 'insufficient_credits' },
      response,
    );

  /**
   * OUT_OF_TOKENS has no fixed status (400, 402, 403, or even a 200 with `status: "ERROR"`): in any
   * form it is the queue's "insufficient credits", never a refused key or a failed job.
   */
  const call = async (work: () => Promise<HttpResponse>): Promise<HttpResponse> => {
    let response: HttpResponse;
    try {
      response = await work();
    } catch (error) {
      if (error instanceof ProviderRequestError && error.response && isOutOfTokens(error.response.body)) {
        throw outOfTokens(error.response);
      }
      throw error;
    }
    if (isOutOfTokens(response.body)) throw outOfTokens(response);
    return response;
  };

  return {
    id: PRODUCTAI_ID,
    name: 'ProductAI',
    accountFields: [{ id: 'key', label: 'API key', secret: true, send: { header: 'x-api-key' } }],
    unit: { one: 'token', many: 'tokens', fractionDigits: 0 },
    generative: true,
    baseUrl: PRODUCTAI_BASE_URL,
    capabilities: { idempotentSubmit: false, reconcile: false, webhooks: true, stream: false },
    rateLimit: options.rateLimit ?? { requests: 15, windowMs: 60_000 },
    concurrency: 2,
    pollIntervalMs: pollMs,
    operations: {
      generate: {
        label: 'Product photo',
        description: 'A new product image from your photo and a prompt.',
        params: GenerateParamsSchema,
        hints: { model: { label: 'Model' }, prompt: { label: 'Prompt', help: 'What the result should show.' } },
        inputs: { source: 'image' },
        // The product stays; the scene around it is generated.
        effect: 'composite',
        paid: true,
      },
      upscale: {
        label: 'Upscale (Magnific Precision)',
        description: 'A larger version without changing the image’s details.',
        params: UpscaleParamsSchema,
        hints: {},
        inputs: { source: 'image' },
        effect: 'edited',
        paid: true,
      },
    },
    estimateCost: (operation, params) => ({
      credits:
        operation === 'upscale'
          ? UPSCALE_TOKENS
          : (MODEL_TOKENS[GenerateParamsSchema.shape.model.parse(params.model)] ?? 3),
    }),

    submit: async (context) => {
      const { job } = context;
      const source = job.inputs.source;
      if (!source) throw new AppError('invalid_input', 'A ProductAI job needs a photo or a result.');
      if (!context.stage) throw new AppError('invalid_input', stagingMissingMessage('ProductAI'));
      const photo = await context.inputs.image(source);
      const prepared = await prepareInput(photo);
      const imageUrl = await context.stage(prepared, 'image/jpeg');
      const body =
        job.operation === 'upscale'
          ? { image_url: imageUrl }
          : { ...GenerateParamsSchema.parse(job.params), image_url: imageUrl };
      const path = job.operation === 'upscale' ? '/api/upscale' : '/api/generate';
      const created = await context.step('create', async () => {
        const response = await call(() =>
          context.request({
            method: 'POST',
            url: `${context.baseUrl}${path}`,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
            call: 'submit',
          }),
        );
        const job = readJob(response.body);
        if (!job?.id) {
          // ProductAI can neither list jobs nor find one again without its id: nothing to look up.
          throw new UnreadablePaidAnswer(
            'ProductAI accepted the request, but its answer holds no job id Shootline can read.',
            `ProductAI answered ${response.status} with ${excerpt(response.body)}`,
          );
        }
        const charge = {
          ...(job.charged === undefined ? {} : { charged: job.charged }),
          ...(job.balance === undefined ? {} : { balance: job.balance }),
        };
        return { remoteId: job.id, result: charge };
      });
      if (!created.remoteId)
        throw new ProviderRequestError('ProductAI did not return a job id.', { kind: 'invalid_response' });
      return { remote: { id: created.remoteId }, ...readCharge(created.result) };
    },

    poll: async (context, { id: remoteId }) => {
      const response = await call(() =>
        context.request({
          method: 'GET',
          url: `${context.baseUrl}/api/job/${encodeURIComponent(remoteId)}`,
          call: 'poll',
        }),
      );
      const job = readJob(response.body);
      if (!job)
        throw new ProviderRequestError('ProductAI sent a job Shootline cannot read.', { kind: 'invalid_response' });
      const polls = (pollsSeen.get(remoteId) ?? 0) + 1;
      switch (job.status) {
        case 'completed':
          pollsSeen.delete(remoteId);
          if (!job.imageUrl)
            throw new ProviderRequestError('ProductAI finished without an image.', { kind: 'invalid_response' });
          return { status: 'done', outputs: [{ index: 0, url: job.imageUrl, kind: 'image' }] };
        case 'failed':
          pollsSeen.delete(remoteId);
          return {
            status: 'failed',
            message: `ProductAI could not make this image${job.why ? `: ${job.why}` : '.'}`,
          };
        case 'pending':
          pollsSeen.set(remoteId, polls);
          // 4 s for the first minute or so, then a little longer each time, at most 20 s.
          return {
            status: 'pending',
            retryAfterMs: Math.min((POLL_CAP_MS * pollMs) / POLL_MS, pollMs * 1.15 ** Math.max(0, polls - 15)),
          };
      }
    },

    fetchOutputs: async (context, _remote, outputs) => {
      const fetched: FetchedOutput[] = [];
      for (const output of outputs) {
        if (!output.url) continue;
        fetched.push(await downloadImageOutput(context, output.url, output.index));
      }
      return fetched;
    },
  };
}

/**
 * Orientation baked in (the provider would not read the EXIF tag), sRGB JPEG, under 10 MB: the
 * quality steps down, then the size, until it fits. The original file is never touched.
 */
async function prepareInput(photo: InputPhoto): Promise<Buffer> {
  for (const [quality, scale] of [
    [92, 1],
    [85, 1],
    [80, 0.75],
    [80, 0.5],
  ] as const) {
    let pipeline = photo.pipeline().removeAlpha().toColourspace('srgb');
    if (scale < 1) pipeline = pipeline.resize(Math.round(photo.width * scale), Math.round(photo.height * scale));
    const bytes = await pipeline.jpeg({ quality }).toBuffer();
    if (bytes.length < MAX_INPUT_BYTES) return bytes;
  }
  throw new AppError('invalid_input', 'This photo cannot be made small enough for ProductAI (10 MB).');
}

/** The content hash staging keys objects by. */
export function contentHashOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
