import { z } from 'zod';
import { AppError } from '../../../../shared/errors';
import type { MaskRef } from '../../../../shared/job-inputs';
import { ProviderRequestError, type HttpResponse } from '../../net/http';
import { excerpt } from '../../net/tolerant';
import { stagingMissingMessage } from '../../staging/staging';
import {
  UnreadablePaidAnswer,
  type FetchedOutput,
  type ProviderContext,
  type ProviderModule,
  type SubmitContext,
} from '../contract';
import { downloadImageOutput } from '../download';
import { errorWords, isOutOfPhotos, namesOriginal, readCreated, readGeneration } from './answers';
import { DEFAULT_MASK_POLARITY, maskPng, preparePhoto, type MaskPolarity, type PreparedPhoto } from './pictures';

/**
 * iacrea Exterior Creation (docs: ../shared/api-docs/iacrea-exterior.txt; readings:
 * docs/providers/iacrea.md): a terrace, a pool or a pétanque ground built in a painted area of an
 * exterior photo, and variations of a result. Photos and masks travel as URLs (the user's staging
 * storage); status by polling `get` (a POST). No idempotency key and no listing: a generation whose
 * answer was lost is never resent on its own (the queue sends it to review). A FAILED generation's
 * photo comes back ("automatically refunded"), which the ledger records.
 */
export const IACREA_ID = 'iacrea';
export const IACREA_BASE_URL = 'https://iacrea.com';

export const ROOM_TYPES = ['TERRACE', 'POOL', 'PETANQUE'] as const;

/** What exports write on these results: they show what the property could become, not what it is. */
export const CONCEPT_RENDER_LABEL = 'Concept render — not the property as it is';

const POLL_MS = 4_000;

/** Statuses that say a request was refused outright: nothing started, nothing charged. */
const REFUSED = new Set([400, 404, 409, 422]);

const ParamsSchema = z.object({ roomType: z.enum(ROOM_TYPES).default('TERRACE') }).strict();
const HINTS = {
  roomType: { label: 'What to build', help: 'A terrace, a pool or a pétanque ground, in the painted area.' },
};

/**
 * What a generation is, kept with its id: the project, the link its original was sent at (a
 * variation may need that very link), and the mask version its area came from (a variation sends a
 * mask only when the area was repainted since; else iacrea reuses the one it has).
 */
type IacreaRemote = {
  kind: 'generation';
  projectId: string | null;
  imageUrl: string | null;
  maskId: string | null;
  maskVersion: number | null;
};

export interface IacreaOptions {
  /** Between polls (default 4 s; tests go faster). */
  pollIntervalMs?: number;
  /** Which part of the mask is the area (default white on black): docs/providers/iacrea.md. */
  maskPolarity?: MaskPolarity;
}

export function createIacreaProvider(options: IacreaOptions = {}): ProviderModule {
  const polarity = options.maskPolarity ?? DEFAULT_MASK_POLARITY;

  /** Out of photos, in any status and any error form, is the queue's "insufficient credits": iacrea pauses. */
  const call = async (work: () => Promise<HttpResponse>): Promise<HttpResponse> => {
    try {
      return await work();
    } catch (error) {
      const response = error instanceof ProviderRequestError ? error.response : null;
      if (!response || !(error instanceof ProviderRequestError)) throw error;
      if (isOutOfPhotos(response.status, response.body)) {
        throw new ProviderRequestError(
          'iacrea says the account has no photos left.',
          { kind: 'http', status: response.status, providerCode: 'insufficient_credits' },
          response,
        );
      }
      const words = errorWords(response.body);
      throw words ? new ProviderRequestError(`iacrea: ${words}`, error.failure, response) : error;
    }
  };

  const post = (context: ProviderContext, path: string, body: Record<string, unknown>, kind: 'submit' | 'poll') =>
    call(() =>
      context.request({
        method: 'POST',
        url: `${context.baseUrl}/api/create_exterior/${path}`,
        headers: { 'content-type': 'application/json' },
        // `user_id` is the account's body field: the queue adds it to every request to iacrea.
        body: JSON.stringify(body),
        call: kind,
      }),
    );

  return {
    id: IACREA_ID,
    name: 'iacrea',
    accountFields: [
      { id: 'key', label: 'API key', secret: true, send: { header: 'x-api-key' } },
      {
        id: 'user-id',
        label: 'User ID',
        secret: false,
        send: { body: 'user_id' },
        help: 'The user UUID shown in your iacrea Developer Space.',
      },
    ],
    unit: { one: 'photo', many: 'photos', fractionDigits: 0 },
    generative: true,
    baseUrl: IACREA_BASE_URL,
    capabilities: { idempotentSubmit: false, reconcile: false, webhooks: false, stream: false },
    concurrency: 2,
    pollIntervalMs: options.pollIntervalMs ?? POLL_MS,
    operations: {
      exterior: {
        label: 'Exterior concept',
        description: 'Builds a terrace, a pool or a pétanque ground in the painted area of an exterior photo.',
        params: ParamsSchema,
        hints: HINTS,
        inputs: { source: 'photo', mask: { purpose: 'exterior', required: true } },
        // The photo stays; what is built in the area is generated: a composite, shown as a concept.
        effect: 'composite',
        disclosure: CONCEPT_RENDER_LABEL,
        paid: true,
      },
      variation: {
        label: 'More like this',
        description: 'A variation of an iacrea result, in the same area or a newly painted one.',
        params: ParamsSchema,
        hints: HINTS,
        // On a result; the mask (a new area) is optional: without one iacrea reuses the first one's.
        inputs: { source: 'variant', mask: { purpose: 'exterior', required: false } },
        effect: 'composite',
        disclosure: CONCEPT_RENDER_LABEL,
        paid: true,
      },
    },
    // A generation costs a photo. Whether a variation does the doc does not say: it is counted as a
    // photo before (budgets never approve less than may be spent) and recorded as a possible charge.
    estimateCost: () => ({ credits: 1 }),

    submit: async (context) => {
      const params = ParamsSchema.parse(context.job.params);
      if (!context.stage) throw new AppError('invalid_input', stagingMissingMessage('iacrea'));
      return context.job.operation === 'variation'
        ? submitVariation(context, params.roomType, post, polarity)
        : submitGeneration(context, params.roomType, post, polarity);
    },

    poll: async (context, remote) => {
      const response = await post(context, 'get', { generation_id: remote.id }, 'poll');
      const generation = readGeneration(response.body);
      if (!generation) {
        throw new ProviderRequestError('iacrea sent a generation Shootline cannot read.', { kind: 'invalid_response' });
      }
      switch (generation.status) {
        case 'pending':
          return { status: 'pending' };
        case 'failed':
          // "In case of FAILED status, your photos are automatically refunded."
          return {
            status: 'failed',
            message: `the exterior could not be made${generation.why ? `: ${generation.why}` : '.'}`,
            ...(generation.refunded ? { refunded: true as const } : {}),
          };
        case 'succeeded': {
          if (generation.urls.length === 0) {
            throw new ProviderRequestError('iacrea finished without an image.', { kind: 'invalid_response' });
          }
          return {
            status: 'done',
            outputs: generation.urls.map((url, index) => ({
              index,
              url,
              kind: 'image' as const,
              // Each picture knows its generation and the project's variation number.
              remote: {
                id: remote.id,
                ...(generation.variationNumber === undefined ? {} : { version: generation.variationNumber }),
                subversion: index,
              },
            })),
          };
        }
      }
    },

    fetchOutputs: async (context, _remote, outputs) => {
      const fetched: FetchedOutput[] = [];
      for (const output of outputs) {
        if (!output.url) continue;
        const file = await downloadImageOutput(context, output.url, output.index);
        fetched.push(output.remote ? { ...file, remote: output.remote } : file);
      }
      return fetched;
    },
  };
}

type Post = (
  context: ProviderContext,
  path: string,
  body: Record<string, unknown>,
  kind: 'submit' | 'poll',
) => Promise<HttpResponse>;

/** The photo and its painted area, staged: width and height are the staged photo's own. */
async function stagePhoto(context: SubmitContext, photo: PreparedPhoto): Promise<string> {
  if (!context.stage) throw new AppError('invalid_input', stagingMissingMessage('iacrea'));
  return context.stage(photo.bytes, 'image/jpeg');
}

async function stageMask(
  context: SubmitContext,
  photo: PreparedPhoto,
  polarity: MaskPolarity,
  mask: MaskRef | undefined,
): Promise<string | null> {
  if (!mask || !context.stage) return null;
  const levels = await context.inputs.mask(mask, photo.width, photo.height);
  return context.stage(await maskPng(levels, photo.width, photo.height, polarity), 'image/png');
}

/** `generate`: a new project from the photo and its painted area. */
async function submitGeneration(
  context: SubmitContext,
  roomType: string,
  post: Post,
  polarity: MaskPolarity,
): Promise<Awaited<ReturnType<ProviderModule['submit']>>> {
  const source = context.job.inputs.source;
  if (source?.kind !== 'asset') throw new AppError('invalid_input', 'An exterior concept starts from a photo.');
  if (!context.job.inputs.mask) throw new AppError('invalid_input', 'Paint the area to build in first.');
  const mask = context.job.inputs.mask;
  const photo = await preparePhoto(await context.inputs.image(source));
  const imageUrl = await stagePhoto(context, photo);
  const maskUrl = await stageMask(context, photo, polarity, mask);
  if (!maskUrl) throw new AppError('invalid_input', 'Paint the area to build in first.');
  const body = {
    image_url: imageUrl,
    mask_url: maskUrl,
    room_type: roomType,
    width: photo.width,
    height: photo.height,
  };
  const created = await context.step('generate', async () => {
    const response = await post(context, 'generate', body, 'submit');
    return { remoteId: readCreated(response.body)?.generationId ?? null, result: answerOf(response) };
  });
  const answer = created.result.read;
  if (!created.remoteId || !answer) throw unreadable(created.result);
  const remote: IacreaRemote = {
    kind: 'generation',
    projectId: answer.projectId ?? null,
    imageUrl,
    maskId: mask.maskId,
    maskVersion: mask.version,
  };
  return {
    remote: { id: created.remoteId, data: remote },
    // The photos left "after this generation": the balance as of the last generation.
    ...(answer.remainingPhotos === undefined ? {} : { balance: answer.remainingPhotos }),
  };
}

/**
 * `generate-variation` on an earlier iacrea result: its generation id, and the original photo
 * staged again (staged links expire). Should iacrea want the very link the first generation was
 * sent, that link is sent instead, while it still works.
 */
async function submitVariation(
  context: SubmitContext,
  roomType: string,
  post: Post,
  polarity: MaskPolarity,
): Promise<Awaited<ReturnType<ProviderModule['submit']>>> {
  const source = context.job.inputs.source;
  if (source?.kind !== 'variant') throw new AppError('invalid_input', 'A variation starts from an iacrea result.');
  const result = await context.inputs.variant(source.variantId);
  if (result.provider !== IACREA_ID || !result.remote) {
    throw new AppError('invalid_input', 'More like this works on an iacrea exterior result.');
  }
  if (!result.madeFrom) throw new AppError('invalid_input', 'The photo this result was made from is gone.');
  const earlier = result.remoteData ?? {};
  const firstUrl = typeof earlier.imageUrl === 'string' ? earlier.imageUrl : null;
  // The area as the result was made: a mask is sent only when it was repainted since.
  const pinned = context.job.inputs.mask;
  const sameArea = pinned !== undefined && pinned.maskId === earlier.maskId && pinned.version === earlier.maskVersion;
  const newMask = pinned && !sameArea ? pinned : undefined;
  const photo = await preparePhoto(await context.inputs.image(result.madeFrom));
  const originalUrl = await stagePhoto(context, photo);
  const maskUrl = await stageMask(context, photo, polarity, newMask);
  const body = (original: string) => ({
    generation_id: result.remote?.id,
    original_url: original,
    ...(maskUrl ? { mask_url: maskUrl } : {}),
    room_type: roomType,
  });
  const created = await context.step('variation', async () => {
    let response: HttpResponse;
    try {
      response = await post(context, 'generate-variation', body(originalUrl), 'submit');
    } catch (error) {
      // Refused, so nothing started (never a 408 or 429, which may have), because the original
      // must be the first generation's own link.
      const refusedOriginal =
        error instanceof ProviderRequestError &&
        error.failure.kind === 'http' &&
        REFUSED.has(error.failure.status) &&
        error.response !== null &&
        namesOriginal(error.response.body);
      if (!refusedOriginal || !firstUrl || firstUrl === originalUrl) throw error;
      response = await post(context, 'generate-variation', body(firstUrl), 'submit');
    }
    return { remoteId: readCreated(response.body)?.generationId ?? null, result: answerOf(response) };
  });
  if (!created.remoteId) throw unreadable(created.result);
  const area = newMask ?? { maskId: str(earlier.maskId), version: num(earlier.maskVersion) };
  const remote: IacreaRemote = {
    kind: 'generation',
    projectId: typeof earlier.projectId === 'string' ? earlier.projectId : null,
    imageUrl: firstUrl ?? originalUrl,
    maskId: area.maskId,
    maskVersion: area.version,
  };
  // A variation's answer says nothing of photos: what it cost is not known (a possible charge).
  return { remote: { id: created.remoteId, data: remote }, chargeUnknown: true };
}

/** What a step keeps of an answer: what it said (read whole, once), and an excerpt to quote. */
function answerOf(response: HttpResponse): {
  status: number;
  body: string;
  read: { generationId: string; projectId?: string; remainingPhotos?: number } | null;
} {
  return {
    status: response.status,
    body: response.body.toString('utf8').slice(0, 4_000),
    read: readCreated(response.body),
  };
}

function unreadable(answer: { status: number; body: string }): UnreadablePaidAnswer {
  // No listing and no lookup without the id: the work cannot be found again; a person decides.
  return new UnreadablePaidAnswer(
    'iacrea accepted the request, but its answer holds no generation id Shootline can read.',
    `iacrea answered ${answer.status} with ${excerpt(Buffer.from(answer.body, 'utf8'))}`,
  );
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}
