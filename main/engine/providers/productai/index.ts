import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../../../shared/errors';
import { stagingMissingMessage } from '../../staging/staging';
import type { FetchedOutput, InputPhoto, ProviderModule } from '../contract';
import { downloadImageOutput } from '../download';
import { ProviderRequestError, type HttpResponse } from '../http';

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

interface JobAnswer {
  status: string;
  data?: { id?: number | string; status?: string; image_url?: string };
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

  const parse = (response: HttpResponse): JobAnswer => {
    try {
      return JSON.parse(response.body.toString('utf8')) as JobAnswer;
    } catch {
      throw new ProviderRequestError('ProductAI sent an answer that is not JSON.', { kind: 'invalid_response' });
    }
  };

  /** OUT_OF_TOKENS comes as `{ name: 'ApiError', message: 'OUT_OF_TOKENS' }` with no fixed status: made a credits failure. */
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ProviderRequestError && error.response) {
        const body = error.response.body.toString('utf8');
        if (body.includes('OUT_OF_TOKENS')) {
          throw new ProviderRequestError(
            'ProductAI is out of tokens.',
            { kind: 'http', status: error.response.status, providerCode: 'insufficient_credits' },
            error.response,
          );
        }
        const message = messageOf(body);
        if (message) throw new ProviderRequestError(`${error.message} ${message}`, error.failure, error.response);
      }
      throw error;
    }
  };

  return {
    id: PRODUCTAI_ID,
    name: 'ProductAI',
    auth: 'api-key-header',
    authHeader: 'x-api-key',
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
        inputs: { image: true },
        paid: true,
      },
      upscale: {
        label: 'Upscale (Magnific Precision)',
        description: 'A larger version without changing the image’s details.',
        params: UpscaleParamsSchema,
        hints: {},
        inputs: { image: true },
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
      const assetId = job.inputs.assetIds[0];
      if (!assetId) throw new AppError('invalid_input', 'A ProductAI job needs a photo.');
      if (!context.stage) throw new AppError('invalid_input', stagingMissingMessage('ProductAI'));
      const photo = await context.inputs.photo(assetId);
      const prepared = await prepareInput(photo);
      const imageUrl = await context.stage(prepared, 'image/jpeg');
      const body =
        job.operation === 'upscale'
          ? { image_url: imageUrl }
          : { ...GenerateParamsSchema.parse(job.params), image_url: imageUrl };
      const path = job.operation === 'upscale' ? '/api/upscale' : '/api/generate';
      const { remoteId } = await context.step('create', async () => {
        const response = await call(() =>
          context.request({
            method: 'POST',
            url: `${context.baseUrl}${path}`,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
            call: 'submit',
          }),
        );
        const id = parse(response).data?.id;
        if (id === undefined)
          throw new ProviderRequestError('ProductAI did not return a job id.', { kind: 'invalid_response' });
        return { remoteId: String(id), result: null };
      });
      if (!remoteId) throw new ProviderRequestError('ProductAI did not return a job id.', { kind: 'invalid_response' });
      return { remoteId };
    },

    poll: async (context, remoteId) => {
      const response = await call(() =>
        context.request({
          method: 'GET',
          url: `${context.baseUrl}/api/job/${encodeURIComponent(remoteId)}`,
          call: 'poll',
        }),
      );
      const data = parse(response).data;
      const polls = (pollsSeen.get(remoteId) ?? 0) + 1;
      switch (data?.status ?? 'RUNNING') {
        case 'COMPLETED':
          pollsSeen.delete(remoteId);
          if (!data?.image_url)
            throw new ProviderRequestError('ProductAI finished without an image.', { kind: 'invalid_response' });
          return { status: 'done', outputs: [{ index: 0, url: data.image_url, kind: 'image' }] };
        case 'ERROR':
          pollsSeen.delete(remoteId);
          return { status: 'failed', message: 'ProductAI could not make this image.' };
        default:
          pollsSeen.set(remoteId, polls);
          // 4 s for the first minute or so, then a little longer each time, at most 20 s.
          return {
            status: 'pending',
            retryAfterMs: Math.min((POLL_CAP_MS * pollMs) / POLL_MS, pollMs * 1.15 ** Math.max(0, polls - 15)),
          };
      }
    },

    fetchOutputs: async (context, _remoteId, outputs) => {
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

/** An output, capped in size, checked to be a real image by its bytes; saved later under a name Shootline chooses. */

function messageOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; details?: unknown };
    const parts = [parsed.message, parsed.details].filter((part): part is string => typeof part === 'string');
    return parts.length > 0 ? `(${parts.join(': ')})` : null;
  } catch {
    return null;
  }
}

/** The content hash staging keys objects by. */
export function contentHashOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
