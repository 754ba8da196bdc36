import { z } from 'zod';
import { AppError } from '../../../../shared/errors';
import { ProviderRequestError } from '../../net/http';
import { excerpt, parseJson } from '../../net/tolerant';
import { stagingMissingMessage } from '../../staging/staging';
import type { FetchedOutput, PollResult, ProviderModule, RemoteJob, SubmitContext, SubmitResult } from '../contract';
import { downloadImageOutput, downloadVideoOutput } from '../download';
import { readDelivery, readGeneration, readGenerationBody, type Generation } from './answers';
import { callAivs } from './calls';
import { AIVS_FALLBACK_MODELS, readModels, priceOf } from './models';
import { findLostGeneration } from './reconcile';
import { webhookAdmin } from './webhooks';

/**
 * AI Visual Studio (docs: ../shared/api-docs/aivisualstudio.txt; readings:
 * docs/providers/aivisualstudio.md): images and videos from a prompt, and a picture brought to life
 * (image-to-video, its first frame staged as a URL). Bearer keys with scopes; 60 requests a minute
 * with the window in headers; models listed with their prices; generations listed, so a submit
 * whose answer was lost is found again instead of resent; signed webhooks.
 */
export const AIVS_ID = 'aivisualstudio';
export const AIVS_BASE_URL = 'https://aivisualstudio.co';

export const IMAGE_ASPECT_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3'] as const;
export const VIDEO_ASPECT_RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4'] as const;
export const OUTPUT_FORMATS = ['webp', 'png', 'jpg'] as const;
export const DEFAULT_IMAGE_MODEL = 'prunaai/z-image-turbo';
export const DEFAULT_VIDEO_MODEL = 'minimax/hailuo-2.3-fast';
/** The account field the webhook secret is kept in (never sent). */
export const WEBHOOK_SECRET_FIELD = 'webhook-secret';
/** The doc's verifier refuses deliveries more than five minutes off. */
const SIGNATURE_TOLERANCE_S = 300;
/** Output links taken from one generation (the doc shows one). */
const MAX_OUTPUTS = 4;
/** The doc sets no bound on a prompt; a long paragraph is more than any model reads. */
export const MAX_PROMPT = 4_000;

const prompt = z.string().trim().min(1, 'Write a prompt.').max(MAX_PROMPT);
const model = (fallback: string) => z.string().trim().min(1).max(200).default(fallback);

const ImageParams = z
  .object({
    prompt,
    model: model(DEFAULT_IMAGE_MODEL),
    aspectRatio: z.enum(IMAGE_ASPECT_RATIOS).default('1:1'),
    // The doc's default; sharp reads WebP, and export writes any format from it.
    outputFormat: z.enum(OUTPUT_FORMATS).default('webp'),
  })
  .strict();
const VideoParams = z
  .object({
    prompt,
    model: model(DEFAULT_VIDEO_MODEL),
    aspectRatio: z.enum(VIDEO_ASPECT_RATIOS).default('16:9'),
    duration: z.number().int().min(1).max(10).default(5),
  })
  .strict();

const PROMPT_HINT = { label: 'Prompt', help: 'What to make, in words.' };
const MODEL_HINT = { label: 'Model', help: 'Each model has its own price per generation.', catalog: 'model' };

export interface AivsOptions {
  /** Between polls (default 5 s; the webhook tests slow it to a minute, the others speed it up). */
  pollIntervalMs?: number;
  /** The doc's 60 a minute, unless a test shortens the window. */
  rateLimit?: { requests: number; windowMs: number };
  concurrency?: number;
}

export function createAivsProvider(options: AivsOptions = {}): ProviderModule {
  return {
    id: AIVS_ID,
    name: 'AI Visual Studio',
    accountFields: [
      {
        id: 'key',
        label: 'API key',
        secret: true,
        send: { bearer: true },
        // Without `read` no job can be followed; each generate scope opens its operations.
        scopes: ['read', 'generate:image', 'generate:video', 'webhooks'],
      },
      {
        id: WEBHOOK_SECRET_FIELD,
        label: 'Webhook secret',
        secret: true,
        send: { never: true },
        help: 'Kept when Shootline registers its webhook; else paste it from your AI Visual Studio dashboard.',
      },
    ],
    unit: { one: 'credit', many: 'credits', fractionDigits: 0 },
    generative: true,
    baseUrl: AIVS_BASE_URL,
    capabilities: { idempotentSubmit: false, reconcile: true, webhooks: true, stream: false },
    rateLimit: options.rateLimit ?? { requests: 60, windowMs: 60_000 },
    concurrency: options.concurrency ?? 4,
    pollIntervalMs: options.pollIntervalMs ?? 5_000,
    operations: {
      image: {
        label: 'Generate images',
        description: 'New pictures from a prompt, in the model, aspect ratio and format chosen.',
        params: ImageParams,
        hints: {
          prompt: PROMPT_HINT,
          model: MODEL_HINT,
          aspectRatio: { label: 'Aspect ratio' },
          outputFormat: { label: 'Format' },
        },
        inputs: { source: 'none' },
        effect: 'generated',
        paid: true,
      },
      video: {
        label: 'Generate a video',
        description: 'A video from a prompt.',
        params: VideoParams,
        hints: videoHints(),
        inputs: { source: 'none' },
        effect: 'generated',
        makes: 'video',
        paid: true,
      },
      animate: {
        label: 'Animate',
        description: 'The picture brought to life: a video that starts from it.',
        params: VideoParams,
        hints: videoHints(),
        inputs: { source: 'none', firstFrame: true },
        effect: 'generated',
        makes: 'video',
        paid: true,
      },
    },
    estimateCost: (operation, params, _inputs, catalog) =>
      priceOf(catalog, operation === 'image' ? 'image' : 'video', modelOf(operation, params)),

    submit: (context) => submit(context),

    poll: async (context, remote) => {
      const response = await callAivs(
        context,
        { method: 'GET', url: `${context.baseUrl}/api/v1/generations/${encodeURIComponent(remote.id)}`, call: 'poll' },
        'read',
      );
      const generation = readGenerationBody(response.body);
      if (!generation) {
        throw new ProviderRequestError('AI Visual Studio sent a generation Shootline cannot read.', {
          kind: 'invalid_response',
        });
      }
      return pollResult(generation, kindOf(remote));
    },

    fetchOutputs: async (context, remote, outputs) => {
      const fetched: FetchedOutput[] = [];
      for (const output of outputs) {
        if (!output.url) continue;
        fetched.push(
          kindOf(remote) === 'video'
            ? await downloadVideoOutput(context, output.url, output.index)
            : await downloadImageOutput(context, output.url, output.index),
        );
      }
      return fetched;
    },

    webhook: {
      signature: {
        header: 'x-webhook-signature',
        // The doc's verifier signs `${t}.${JSON.stringify(payload)}`: the body parsed and written again.
        content: 'json',
        toleranceSeconds: SIGNATURE_TOLERANCE_S,
        secretField: WEBHOOK_SECRET_FIELD,
        // Should the deliveries be signed with the API key itself (W3's fourth reading).
        alsoSignedWith: ['key'],
      },
      parse: (body) => {
        const delivery = readDelivery(body);
        if (!delivery) return null;
        const status = deliveryStatus(delivery.generation, delivery.event);
        return { remoteId: delivery.generation.id, ...(status ? { status } : {}) };
      },
    },

    reconcile: (context) =>
      findLostGeneration(context, (operation, params) => ({
        // Video and animate both list as videos: the listing cannot tell them apart.
        type: operation === 'image' ? 'image' : 'video',
        model: modelOf(operation, params),
        prompt: typeof params.prompt === 'string' ? params.prompt : '',
      })),

    account: {
      test: async (context) => {
        const models = await readModels(context);
        return `Key works: ${models.length} model${models.length === 1 ? '' : 's'} to choose from.`;
      },
      catalog: (context) => readModels(context),
      fallbackCatalog: AIVS_FALLBACK_MODELS,
      webhooks: webhookAdmin(callAivs),
    },
  };
}

function videoHints() {
  return {
    prompt: PROMPT_HINT,
    model: MODEL_HINT,
    aspectRatio: { label: 'Aspect ratio' },
    duration: { label: 'Duration (s)', help: '1 to 10 seconds.' },
  };
}

function modelOf(operation: string, params: Record<string, unknown>): string {
  if (typeof params.model === 'string' && params.model !== '') return params.model;
  return operation === 'image' ? DEFAULT_IMAGE_MODEL : DEFAULT_VIDEO_MODEL;
}

function kindOf(remote: RemoteJob): 'image' | 'video' {
  return remote.data?.kind === 'video' ? 'video' : 'image';
}

/** The request body, as the doc names its fields; every value is sent, defaults included. */
async function bodyOf(context: SubmitContext): Promise<{ path: string; body: Record<string, unknown> }> {
  const { operation, params } = context.job;
  if (operation === 'image') {
    const image = ImageParams.parse(params);
    return {
      path: 'generate/image',
      body: {
        prompt: image.prompt,
        model: image.model,
        aspect_ratio: image.aspectRatio,
        output_format: image.outputFormat,
      },
    };
  }
  const video = VideoParams.parse(params);
  const body: Record<string, unknown> = {
    prompt: video.prompt,
    model: video.model,
    aspect_ratio: video.aspectRatio,
    duration: video.duration,
  };
  if (operation === 'animate') body.first_frame_image = await stageFirstFrame(context);
  return { path: 'generate/video', body };
}

/** The picture a video starts from, upright, as a JPEG at a public, expiring URL. */
async function stageFirstFrame(context: SubmitContext): Promise<string> {
  const frame = context.job.inputs.firstFrame;
  if (!frame) throw new AppError('invalid_input', 'Animate starts from a picture: choose a photo or a result.');
  if (!context.stage) throw new AppError('invalid_input', stagingMissingMessage('AI Visual Studio'));
  const picture = await context.inputs.image(frame);
  const bytes = await picture
    .pipeline()
    .removeAlpha()
    .toColourspace('srgb')
    .resize(2048, 2048, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 90 })
    .toBuffer();
  return context.stage(bytes, 'image/jpeg');
}

async function submit(context: SubmitContext): Promise<SubmitResult> {
  const kind = context.job.operation === 'image' ? 'image' : 'video';
  const created = await context.step('generate', async () => {
    // Built (the first frame staged) only when the request is to be sent: a step already done is
    // not staged again on resume.
    const { path, body } = await bodyOf(context);
    const response = await callAivs(
      context,
      {
        method: 'POST',
        url: `${context.baseUrl}/api/v1/${path}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        call: 'submit',
      },
      'generate',
    );
    const generation = readGeneration(parseJson(response.body));
    if (!generation) {
      // Accepted (2xx) but unreadable: the step stays "sending", and the queue looks for the work
      // in the listing (reconcile) before anything is sent again.
      throw new ProviderRequestError(
        `AI Visual Studio accepted the request, but its answer could not be read: ${excerpt(response.body)}.`,
        { kind: 'invalid_response' },
        response,
      );
    }
    return {
      remoteId: generation.id,
      result: { charged: generation.charged ?? null, status: generation.statusWord },
    };
  });
  if (!created.remoteId) throw new AppError('internal', 'A generation was recorded without its id.');
  const charged = created.result.charged;
  return {
    remote: { id: created.remoteId, data: { kind, model: modelOf(context.job.operation, context.job.params) } },
    // `credits_charged` is believed over the estimate (a model's price may have changed).
    ...(typeof charged === 'number' ? { charged } : {}),
  };
}

function pollResult(generation: Generation, kind: 'image' | 'video'): PollResult {
  switch (generation.status) {
    case 'pending':
      return { status: 'pending' };
    case 'failed':
      return {
        status: 'failed',
        message: `the ${kind} could not be made${generation.why ? `: ${generation.why}` : ` (${generation.statusWord ?? 'failed'})`}.`,
      };
    case 'done':
      if (generation.urls.length === 0) {
        // Done without a link we can find: read again (an unpaid read is retried), never invented.
        throw new ProviderRequestError(`AI Visual Studio finished the ${kind} but named no file to fetch.`, {
          kind: 'invalid_response',
        });
      }
      // The doc shows one output; a few more are kept, never an unbounded list of downloads.
      return {
        status: 'done',
        outputs: generation.urls.slice(0, MAX_OUTPUTS).map((url, index) => ({ index, url, kind })),
      };
  }
}

/**
 * What a verified delivery says: done with its links, or failed. A completed delivery without a
 * link it names is only a hint (the job reads its status at once).
 */
function deliveryStatus(generation: Generation, event: string | null): PollResult | null {
  // Without its type the delivery is only a hint: the job reads its status (and knows its kind) at once.
  const kind = generation.type;
  if (!kind) return null;
  if (event === 'generation.failed' || generation.status === 'failed') {
    return pollResult({ ...generation, status: 'failed' }, kind);
  }
  if (generation.status === 'done' && generation.urls.length > 0) return pollResult(generation, kind);
  return null;
}
