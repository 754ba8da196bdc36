import {
  asRecord,
  LIST_NAMES,
  parseJson,
  pickList,
  pickNumber,
  pickRecord,
  pickString,
  readCharge,
  workStatus,
  type Json,
} from '../../net/tolerant';

/**
 * AI Visual Studio's answers, read in every form its doc leaves open (docs/providers/aivisualstudio.md):
 * the doc shows the create answer and the webhook payload, and never the answer of GET
 * generations, GET generations/:id, or the webhooks endpoints. Statuses beyond processing,
 * completed and failed, where the output URL sits, and how times are written are all read by
 * every plausible form.
 */

/** A generation, as any answer tells it. */
export interface Generation {
  id: string;
  status: 'pending' | 'done' | 'failed';
  /** The status word as sent, for messages. */
  statusWord: string | null;
  type: 'image' | 'video' | null;
  model: string | null;
  prompt: string | null;
  charged?: number;
  /** When the provider created it, ms since the epoch in the provider's clock; null when unreadable. */
  createdAt: number | null;
  /** Output links, in order; empty until done (and when a done answer names none). */
  urls: string[];
  /** The provider's words on a failure. */
  why: string | null;
}

/** The generation an answer holds: bare, or wrapped in `data` / `generation`. Null when none can be read. */
export function readGeneration(body: unknown): Generation | null {
  const root = asRecord(body);
  if (!root) return null;
  const record = pickString(root, 'id') ? root : (pickRecord(root, 'data', 'generation') ?? root);
  const id = pickString(record, 'id', 'generation_id', 'generationId');
  if (!id) return null;
  const statusWord = pickString(record, 'status', 'state') ?? null;
  const status = workStatus(statusWord);
  const type = pickString(record, 'type', 'kind');
  const error = record.error;
  const why =
    (typeof error === 'string' ? error : pickString(error, 'message', 'detail')) ??
    pickString(record, 'error_message', 'failure_reason', 'message') ??
    null;
  const { charged } = readCharge(record);
  return {
    id,
    status: status === 'completed' ? 'done' : status,
    statusWord,
    type: type === 'image' || type === 'video' ? type : null,
    model: pickString(record, 'model', 'model_id', 'modelId') ?? null,
    prompt: typeof record.prompt === 'string' ? record.prompt : null,
    ...(charged === undefined ? {} : { charged }),
    createdAt: timeOf(record, 'created_at', 'createdAt', 'created'),
    urls: outputUrls(record),
    why,
  };
}

/** Parses a body and reads the generation in it. */
export function readGenerationBody(raw: Buffer): Generation | null {
  return readGeneration(parseJson(raw));
}

/** The generations a listing holds: a bare array, `{data}`, `{generations}`, `{items}`, `{results}`. */
export function readGenerationList(raw: Buffer): Generation[] | null {
  const list = pickList(parseJson(raw), 'generations', ...LIST_NAMES);
  if (!list) return null;
  return list.flatMap((entry) => {
    const generation = readGeneration(entry);
    return generation ? [generation] : [];
  });
}

/**
 * The output links wherever they sit: `output_url` (the webhook payload's), `output_urls`, `urls`,
 * `outputs` (strings or `{url}`), `result` (`{url}`, `{urls}` or a string), `output` (a string or
 * a list), or `video_url` / `image_url`.
 */
function outputUrls(record: Json): string[] {
  const single = pickString(record, 'output_url', 'outputUrl', 'video_url', 'image_url', 'url');
  const lists = [
    pickList(record, 'output_urls', 'outputUrls', 'urls', 'outputs', 'output', 'images', 'videos'),
    pickList(record.result, 'urls', 'outputs'),
  ];
  const listed = lists.flatMap((list) => (list ?? []).flatMap(urlOf));
  const fromResult = typeof record.result === 'string' ? [record.result] : urlOf(record.result);
  const fromOutput = typeof record.output === 'string' ? [record.output] : urlOf(record.output);
  const all = [...(single ? [single] : []), ...listed, ...fromResult, ...fromOutput];
  return [...new Set(all.filter(isHttpUrl))];
}

function urlOf(entry: unknown): string[] {
  if (typeof entry === 'string') return [entry];
  const url = pickString(entry, 'url', 'output_url', 'src', 'href');
  return url ? [url] : [];
}

function isHttpUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

/**
 * A time under any of `names`: an ISO 8601 string (the doc's), Unix seconds, or Unix milliseconds
 * (a number above 10^11 cannot be seconds before the year 5000).
 */
export function timeOf(record: unknown, ...names: string[]): number | null {
  const value = asRecord(record);
  if (!value) return null;
  for (const name of names) {
    const found = value[name];
    if (typeof found === 'number' && Number.isFinite(found) && found > 0) {
      return found > 1e11 ? found : found * 1000;
    }
    if (typeof found === 'string' && found.trim() !== '') {
      const numeric = Number(found);
      if (Number.isFinite(numeric) && numeric > 0) return numeric > 1e11 ? numeric : numeric * 1000;
      const parsed = Date.parse(found);
      if (Number.isFinite(parsed)) return parsed;
    }
  }
  return null;
}

/** The error the doc's table describes: `{error: {code, message, details}}`. */
export interface ApiError {
  code: string | null;
  message: string | null;
  details: Json | null;
}

export function readApiError(raw: Buffer): ApiError {
  const root = asRecord(parseJson(raw));
  const error = pickRecord(root, 'error') ?? root;
  return {
    code: pickString(error, 'code') ?? (typeof root?.error === 'string' ? root.error : null),
    message: pickString(error, 'message') ?? null,
    details: pickRecord(error, 'details') ?? null,
  };
}

/** A delivery: `{event, data: generation, created_at}`; the generation read like any other. */
export function readDelivery(body: unknown): { event: string | null; generation: Generation } | null {
  const root = asRecord(body);
  const generation = readGeneration(pickRecord(root, 'data', 'generation') ?? null);
  if (!root || !generation) return null;
  return { event: pickString(root, 'event', 'type') ?? null, generation };
}

/** A credit amount in an error's details (`required`, `available`), when given. */
export function detailNumber(error: ApiError, name: string): number | undefined {
  return pickNumber(error.details, name);
}
