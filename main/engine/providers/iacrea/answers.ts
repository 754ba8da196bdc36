import { asRecord, parseJson, pickList, pickNumber, pickRecord, pickString } from '../../net/tolerant';

/**
 * iacrea's answers, read in every form its doc leaves open (docs/providers/iacrea.md): the doc
 * shows one example answer per endpoint and nothing about errors, webhooks or how `urls` are
 * written.
 */

/** A generation's answer: its id, and on a first generation the project and the photos left. */
export interface CreatedAnswer {
  generationId: string;
  projectId?: string;
  remainingPhotos?: number;
}

export function readCreated(raw: Buffer): CreatedAnswer | null {
  const root = asRecord(parseJson(raw));
  if (!root) return null;
  const body = pickRecord(root, 'data', 'result') ?? root;
  // Only the doc's name (or its camel case): an `id` could be a request's or a project's.
  const generationId = pickString(body, 'generation_id', 'generationId');
  if (!generationId) return null;
  const projectId = pickString(body, 'project_id', 'projectId');
  const remainingPhotos = pickNumber(body, 'remaining_photos', 'remainingPhotos');
  return {
    generationId,
    ...(projectId ? { projectId } : {}),
    ...(remainingPhotos === undefined ? {} : { remainingPhotos }),
  };
}

export type GenerationStatus = 'pending' | 'succeeded' | 'failed';

/** A generation as `get` (or a webhook) tells it. */
export interface GenerationAnswer {
  status: GenerationStatus;
  /** The doc's own FAILED, the one status it promises a refund for. */
  refunded: boolean;
  urls: string[];
  variationNumber?: number;
  /** The provider's words on a failure, when it gives any. */
  why?: string;
}

/**
 * STARTING and PROCESSING are still running, SUCCEEDED and FAILED final; other words in any case
 * (COMPLETED, ERROR…) are read by their meaning, and anything unknown is still running.
 */
function statusOf(word: string | undefined): GenerationStatus {
  const upper = (word ?? '').toUpperCase();
  if (['SUCCEEDED', 'SUCCESS', 'COMPLETED', 'DONE', 'FINISHED'].includes(upper)) return 'succeeded';
  if (['FAILED', 'FAILURE', 'ERROR', 'CANCELED', 'CANCELLED'].includes(upper)) return 'failed';
  return 'pending';
}

/** `urls` as strings, as objects `{url}`, or one `url`: the doc's example shows the first. */
function urlsOf(body: Record<string, unknown>): string[] {
  const listed = (pickList(body, 'urls', 'images', 'outputs') ?? []).flatMap((entry) => {
    const url = typeof entry === 'string' ? entry : pickString(entry, 'url', 'image_url', 'src');
    return url ? [url] : [];
  });
  if (listed.length > 0) return listed;
  const single = pickString(body, 'url', 'image_url');
  return single ? [single] : [];
}

export function readGeneration(raw: Buffer): GenerationAnswer | null {
  const root = asRecord(parseJson(raw));
  if (!root) return null;
  const body = pickRecord(root, 'data', 'generation', 'result') ?? root;
  const word = pickString(body, 'status', 'state');
  if (!word) return null;
  const variationNumber = pickNumber(body, 'variationNumber', 'variation_number');
  const why = pickString(body, 'error', 'message', 'reason');
  return {
    status: statusOf(word),
    refunded: word.toUpperCase() === 'FAILED',
    urls: urlsOf(body),
    ...(variationNumber === undefined ? {} : { variationNumber }),
    ...(why ? { why } : {}),
  };
}

/** The words of an error answer: `{error}`, `{message}`, `{errors:[{message}]}`, or plain text. */
export function errorWords(raw: Buffer): string | null {
  const text = raw.toString('utf8').trim();
  if (text === '') return null;
  const parsed = parseJson(raw);
  const root = asRecord(parsed);
  if (!root) return parsed === undefined || typeof parsed === 'string' ? text.slice(0, 300) : null;
  const direct = pickString(root, 'error', 'message', 'detail');
  if (direct) return direct.slice(0, 300);
  const list = (pickList(root, 'errors') ?? []).flatMap((entry) => {
    const words = typeof entry === 'string' ? entry : pickString(entry, 'message', 'error');
    return words ? [words] : [];
  });
  return list.length > 0 ? list.join('; ').slice(0, 300) : null;
}

/**
 * "No photos remaining" answered 400, 402 or 403: the account is out of photos, not refused. Only
 * words that say so: "insufficient photo resolution" or a 429's "photo quota, retry later" are not.
 */
export function isOutOfPhotos(status: number, raw: Buffer): boolean {
  if (![400, 402, 403].includes(status)) return false;
  const words = (errorWords(raw) ?? '').toLowerCase();
  return /\b(no|0|zero)\s+(more\s+)?photos?\s+(left|remaining|available)\b|not enough photos|out of photos|insufficient (photos|credits)|no remaining photos/.test(
    words,
  );
}

/** A refusal that names the original image's link (iacrea wanting the first generation's own URL). */
export function namesOriginal(raw: Buffer): boolean {
  return /original/i.test(errorWords(raw) ?? '');
}
