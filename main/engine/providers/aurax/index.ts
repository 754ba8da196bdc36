import { z } from 'zod';
import { AppError } from '../../../../shared/errors';
import { ProductTypeSchema } from '../../../../shared/garments';
import { ProviderRequestError, type HttpResponse } from '../../net/http';
import { multipartBody } from '../../net/multipart';
import { excerpt, parseJson } from '../../net/tolerant';
import {
  UnreadablePaidAnswer,
  type FetchedOutput,
  type OutputRef,
  type PollResult,
  type ProviderContext,
  type ProviderModule,
  type RemoteJob,
  type SubmitContext,
} from '../contract';
import { errorWords, isOutOfCredits, readCreated, readDescription, readTask, type TaskAnswer } from './answers';
import { maskForAurax } from './mask';
import { fetchImage, MAX_SIDE, prepared, type Call } from './pictures';
import { watchTask } from './stream';

/**
 * AuraX (docs: ../shared/api-docs/aurax.txt; readings: docs/providers/aurax.md): virtual try-on,
 * product images from a prompt, product descriptions. Two headers on every request; images go as
 * base64 in JSON (try-on, generation) or as a file (description); status by Server-Sent Events,
 * polling when the stream drops or stalls. No idempotency key and no way to list tasks: a submit
 * whose answer was lost is never resent on its own (the queue sends it to review).
 */
export const AURAX_ID = 'aurax';
export const AURAX_BASE_URL = 'https://api.aurax.ai';

/** Credits per request, from the doc. Quarter credits are exact in binary floating point. */
export const AURAX_CREDITS = { tryon: 3, generate: 1, describe: 0.25 } as const;

const POLL_MS = 3_000;

const productType = ProductTypeSchema.default('GARMENT');

const TryonParamsSchema = z
  .object({
    productType,
    /** The doc's "complexity of the garment": 1 simple … 3 complex. */
    garmentStrength: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(2),
    prompt: z.string().trim().max(2000).optional(),
  })
  .strict();

const GenerateParamsSchema = z
  .object({
    prompt: z.string().trim().min(1, 'Describe the picture you want.').max(4000),
    productType,
    width: z.number().int().min(64).max(MAX_SIDE).default(1024),
    height: z.number().int().min(64).max(MAX_SIDE).default(1024),
  })
  .strict();

const DescribeParamsSchema = z.object({ productType }).strict();

/** The form of both product-image operations (from a prompt, or in a photo's shape). */
const GENERATE_HINTS = {
  prompt: { label: 'Prompt' },
  productType: { label: 'Product type' },
  width: { label: 'Width (px)' },
  height: { label: 'Height (px)' },
};

/** What kind of work a remote task is, kept with its id (a description's text is kept whole: it never comes back). */
type AuraxRemote = { kind: 'task' } | { kind: 'description'; text: string };

function remoteKind(remote: RemoteJob): AuraxRemote {
  const data = remote.data;
  if (data?.kind === 'description' && typeof data.text === 'string') return { kind: 'description', text: data.text };
  return { kind: 'task' };
}

export interface AuraxOptions {
  /** Between polls when the stream is not used (default 3 s; tests go faster). */
  pollIntervalMs?: number;
  /** How long the status stream may stay silent before the queue polls instead (default 30 s). */
  streamIdleMs?: number;
}

export function createAuraxProvider(options: AuraxOptions = {}): ProviderModule {
  /** Any answer that says the credits ran out is the queue's "insufficient credits": AuraX pauses. */
  const call = async (work: () => Promise<HttpResponse>): Promise<HttpResponse> => {
    let answered: HttpResponse;
    try {
      answered = await work();
    } catch (error) {
      const response = error instanceof ProviderRequestError ? error.response : null;
      if (response && isOutOfCredits(response.status, response.body)) {
        throw new ProviderRequestError(
          'AuraX says the account has not enough credits.',
          { kind: 'http', status: response.status, providerCode: 'insufficient_credits' },
          response,
        );
      }
      if (response) {
        const words = errorWords(response.body);
        if (words && error instanceof ProviderRequestError) {
          throw new ProviderRequestError(`AuraX: ${words}`, error.failure, response);
        }
      }
      throw error;
    }
    // A 2xx can say it too (`{success: false, error: "Insufficient credits"}`): nothing was started.
    if (isOutOfCredits(answered.status, answered.body)) {
      throw new ProviderRequestError(
        'AuraX says the account has not enough credits.',
        { kind: 'http', status: answered.status, providerCode: 'insufficient_credits' },
        answered,
      );
    }
    return answered;
  };

  const readTaskAnswer = async (context: ProviderContext, taskId: string): Promise<TaskAnswer> => {
    const response = await call(() =>
      context.request({
        method: 'GET',
        url: `${context.baseUrl}/api/ai/task/${encodeURIComponent(taskId)}`,
        call: 'poll',
      }),
    );
    const task = readTask(parseJson(response.body));
    if (!task) throw new ProviderRequestError('AuraX sent a task Shootline cannot read.', { kind: 'invalid_response' });
    return task;
  };

  return {
    id: AURAX_ID,
    name: 'AuraX',
    accountFields: [
      { id: 'key', label: 'API key', secret: true, send: { header: 'x-api-key' } },
      {
        id: 'key-id',
        label: 'Key ID',
        // Half of the credential pair: kept and shown like the key (last 4 characters at most).
        secret: true,
        send: { header: 'x-key-id' },
        help: 'The ID AuraX shows beside the key.',
      },
    ],
    unit: { one: 'credit', many: 'credits', fractionDigits: 2 },
    generative: true,
    baseUrl: AURAX_BASE_URL,
    capabilities: { idempotentSubmit: false, reconcile: false, webhooks: false, stream: true },
    concurrency: 2,
    pollIntervalMs: options.pollIntervalMs ?? POLL_MS,
    ...(options.streamIdleMs === undefined ? {} : { streamIdleMs: options.streamIdleMs }),
    operations: {
      tryon: {
        label: 'Virtual try-on',
        description: 'Dresses the person in the garment photo, within the painted garment area when there is one.',
        params: TryonParamsSchema,
        hints: {
          productType: { label: 'Product type' },
          garmentStrength: { label: 'Garment complexity', help: '1 simple, 3 intricate (layers, patterns).' },
          prompt: { label: 'Prompt', help: 'Optional guidance; sent with runWithPrompt.' },
        },
        inputs: { source: 'image', garment: true, mask: { purpose: 'tryon', required: false } },
        // The person's photo stays; the garment on them is generated.
        effect: 'composite',
        paid: true,
      },
      generate: {
        label: 'Product image',
        description: 'A new product picture from a prompt, optionally in the shape of a reference photo.',
        params: GenerateParamsSchema,
        hints: GENERATE_HINTS,
        // Made in a shoot from nothing; a reference photo, when given, is sent for its shape only.
        inputs: { source: 'none', reference: true },
        effect: 'generated',
        paid: true,
      },
      'generate-shaped': {
        label: 'Product image in this shape',
        description: 'A new product picture from a prompt, keeping the shape of the product in the photo.',
        params: GenerateParamsSchema,
        hints: GENERATE_HINTS,
        // The photo is the doc's maskBase64, "image of product for shape accuracy": run on a photo,
        // the new picture is one of its variants (the same bag in red).
        inputs: { source: 'image' },
        effect: 'generated',
        paid: true,
      },
      describe: {
        label: 'Product description',
        description: 'A written description of the product in the photo.',
        params: DescribeParamsSchema,
        hints: { productType: { label: 'Product type' } },
        inputs: { source: 'image' },
        // Text about the photo: the photo itself is not changed.
        effect: 'none',
        makes: 'text',
        paid: true,
      },
    },
    estimateCost: (operation) => ({
      credits:
        operation === 'tryon'
          ? AURAX_CREDITS.tryon
          : operation === 'describe'
            ? AURAX_CREDITS.describe
            : AURAX_CREDITS.generate,
    }),

    submit: async (context) => {
      switch (context.job.operation) {
        case 'tryon':
          return submitTask(context, '/api/ai/vto', await tryonBody(context), call);
        case 'generate':
        case 'generate-shaped': {
          const params = GenerateParamsSchema.parse(context.job.params);
          // The shape is the photo a shaped generation runs on, or the reference a shoot's generation was given.
          const { inputs } = context.job;
          const reference = context.job.operation === 'generate-shaped' ? inputs.source : inputs.reference;
          // The doc's maskBase64 here is an "image of product for shape accuracy": the photo itself.
          const shape = reference
            ? { maskBase64: (await prepared(await context.inputs.image(reference))).bytes.toString('base64') }
            : {};
          return submitTask(context, '/api/ai/image-generation', { ...params, ...shape }, call);
        }
        case 'describe':
          return describe(context, call);
        default:
          throw new AppError('invalid_input', `AuraX has no operation named ${context.job.operation}.`);
      }
    },

    poll: async (context, remote) => {
      const kind = remoteKind(remote);
      if (kind.kind === 'description') return { status: 'done', outputs: [{ index: 0, kind: 'text' }] };
      return resultOf(context, await readTaskAnswer(context, remote.id));
    },

    watch: async (context, remote, report) => {
      if (remoteKind(remote).kind === 'description') {
        report({ status: 'done', outputs: [{ index: 0, kind: 'text' }] });
        return;
      }
      await watchTask(context, remote.id, options.streamIdleMs ?? 30_000, (task) => {
        // A bare "completed" names no pictures: a later event may (`event: done`); if none comes,
        // the stream ends and the queue reads the task's status, which has them.
        if (task.status !== 'completed' || task.images.length > 0) report(resultOf(context, task));
        return Promise.resolve();
      });
    },

    fetchOutputs: async (context, remote, outputs) => {
      const kind = remoteKind(remote);
      if (kind.kind === 'description') {
        return [{ index: 0, kind: 'text', mimeType: 'text/plain', bytes: Buffer.from(kind.text, 'utf8') }];
      }
      const fetched: FetchedOutput[] = [];
      for (const output of outputs) fetched.push(await fetchImage(context, output, call));
      return fetched;
    },
  };
}

/** A task's answer as the queue reads it: pending, done with its pictures, or failed in AuraX's words. */
function resultOf(context: ProviderContext, task: TaskAnswer): PollResult {
  switch (task.status) {
    case 'pending':
      return { status: 'pending', ...(task.progress === undefined ? {} : { progress: task.progress }) };
    case 'failed':
      return { status: 'failed', message: `AuraX could not finish this${task.why ? `: ${task.why}` : '.'}` };
    case 'completed': {
      if (task.images.length === 0) {
        throw new ProviderRequestError('AuraX finished without a picture.', { kind: 'invalid_response' });
      }
      const outputs: OutputRef[] = task.images.map((image, index) => ({
        index,
        kind: 'image',
        url: 'url' in image ? image.url : `${context.baseUrl}/images/${encodeURIComponent(image.id)}`,
      }));
      return { status: 'done', outputs };
    }
  }
}

/** One paid POST that starts a task, made at most once; an answer without a task id goes to review. */
async function submitTask(
  context: SubmitContext,
  path: string,
  body: Record<string, unknown>,
  call: Call,
): Promise<{ remote: RemoteJob; charged?: number; balance?: number }> {
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
    const answer = readCreated(response.body);
    if (!answer) {
      // AuraX can neither list tasks nor find one without its id: nothing to look up.
      throw new UnreadablePaidAnswer(
        'AuraX accepted the request, but its answer holds no task id Shootline can read.',
        `AuraX answered ${response.status} with ${excerpt(response.body)}`,
      );
    }
    const { taskId, ...charge } = answer;
    return { remoteId: taskId, result: charge };
  });
  if (!created.remoteId)
    throw new ProviderRequestError('AuraX did not return a task id.', { kind: 'invalid_response' });
  return { remote: { id: created.remoteId, data: { kind: 'task' } }, ...created.result };
}

/** The try-on body: the person (the job's source) and the garment, upright sRGB within 2048 px, and the pinned mask at the person's size. */
async function tryonBody(context: SubmitContext): Promise<Record<string, unknown>> {
  const { job } = context;
  const params = TryonParamsSchema.parse(job.params);
  if (!job.inputs.source) throw new AppError('invalid_input', 'A try-on needs a photo of a person.');
  if (!job.inputs.garment) throw new AppError('invalid_input', 'A try-on needs a garment photo.');
  const person = await prepared(await context.inputs.image(job.inputs.source));
  const garment = await prepared(await context.inputs.image(job.inputs.garment));
  const mask = job.inputs.mask
    ? await maskForAurax(
        await context.inputs.mask(job.inputs.mask, person.width, person.height),
        person.width,
        person.height,
      )
    : null;
  return {
    personImage: person.bytes.toString('base64'),
    garmentImage: garment.bytes.toString('base64'),
    productType: params.productType,
    garmentStrength: params.garmentStrength,
    ...(mask ? { maskBase64: mask } : {}),
    // The doc's prompt counts only with runWithPrompt: both, or neither.
    ...(params.prompt ? { prompt: params.prompt, runWithPrompt: true } : {}),
  };
}

/** A product description: synchronous, so the text is kept with the paid step (a crash never asks twice). */
async function describe(context: SubmitContext, call: Call): Promise<{ remote: RemoteJob }> {
  const { job } = context;
  const params = DescribeParamsSchema.parse(job.params);
  if (!job.inputs.source) throw new AppError('invalid_input', 'A description needs a photo of the product.');
  const photo = await prepared(await context.inputs.image(job.inputs.source));
  const upload = multipartBody(
    { productType: params.productType },
    { field: 'image', filename: 'product.jpg', mediaType: 'image/jpeg', bytes: photo.bytes },
  );
  const done = await context.step('describe', async () => {
    const response = await call(() =>
      context.request({
        method: 'POST',
        url: `${context.baseUrl}/api/ai/product-description`,
        headers: { 'content-type': upload.contentType },
        body: upload.body,
        call: 'submit',
      }),
    );
    const text = readDescription(response.body, response.header('content-type'));
    if (!text) {
      throw new UnreadablePaidAnswer(
        'AuraX answered the description request, but with no text Shootline can read.',
        `AuraX answered ${response.status} with ${excerpt(response.body)}`,
      );
    }
    return { remoteId: null, result: { text } };
  });
  return { remote: { id: `description-${job.id}`, data: { kind: 'description', text: done.result.text } } };
}
