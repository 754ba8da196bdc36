import {
  asRecord,
  parseJson,
  pickList,
  pickNumber,
  pickRecord,
  pickString,
  workStatus,
  type WorkStatus,
} from '../../net/tolerant';

/*
 * AuraX's answers, read in every form its doc leaves open (docs/providers/aurax.md has the table):
 * the doc gives endpoints and fields, never an answer's shape, a status word, an image reference, an
 * error body or an event format. Each reader takes all the readings the sandbox can answer in.
 */

/** The task a POST created: `{taskId}`, `{id}`, `{data:{taskId}}`, `{success, data:{id}}`, `{task:{id}}`. */
export function readCreated(raw: Buffer): { taskId: string; charged?: number; balance?: number } | null {
  const root = asRecord(parseJson(raw));
  if (!root) return null;
  const inner = pickRecord(root, 'data', 'task', 'result') ?? root;
  const taskId =
    pickString(root, 'taskId', 'task_id') ?? pickString(inner, 'taskId', 'task_id', 'id') ?? pickString(root, 'id');
  if (!taskId) return null;
  return { taskId, ...chargeOf(root, inner) };
}

/** A picture a task made: its id at `/images/:imageId`, or a URL. */
export type ImageRef = { id: string } | { url: string };

export interface TaskAnswer {
  status: WorkStatus;
  images: ImageRef[];
  /** AuraX's words on a failed task. */
  why?: string;
  progress?: number;
  charged?: number;
  balance?: number;
}

/** A task as the status endpoint or an event describes it, bare or under `data`/`task`/`result`. */
export function readTask(body: unknown): TaskAnswer | null {
  const root = asRecord(body);
  if (!root) return null;
  const task = pickRecord(root, 'data', 'task', 'result') ?? root;
  const word = pickString(task, 'status', 'state') ?? pickString(root, 'status', 'state');
  if (word === undefined) return null;
  const images = imageRefsOf(task);
  const why = pickString(task, 'error', 'reason', 'message', 'failureReason');
  const progress = pickNumber(task, 'progress', 'percent');
  return {
    status: workStatus(word),
    images,
    ...(why ? { why } : {}),
    ...(progress === undefined ? {} : { progress }),
    ...chargeOf(root, task),
  };
}

function imageRefsOf(task: Record<string, unknown>): ImageRef[] {
  const refs: ImageRef[] = [];
  const add = (entry: unknown): void => {
    if (typeof entry === 'string' && entry !== '')
      refs.push(/^https?:\/\//i.test(entry) ? { url: entry } : { id: entry });
    const record = asRecord(entry);
    if (!record) return;
    const url = pickString(record, 'url', 'imageUrl', 'image_url');
    const id = pickString(record, 'id', 'imageId', 'image_id');
    if (url) refs.push({ url });
    else if (id) refs.push({ id });
  };
  for (const entry of pickList(task, 'images', 'imageIds', 'results', 'outputs') ?? []) add(entry);
  for (const single of ['resultImageId', 'imageId', 'image_id', 'resultImage', 'image', 'imageUrl', 'resultUrl']) {
    if (refs.length === 0) add(task[single]);
  }
  return refs;
}

function chargeOf(...records: (Record<string, unknown> | undefined)[]): { charged?: number; balance?: number } {
  let charged: number | undefined;
  let balance: number | undefined;
  for (const record of records) {
    const credits = pickRecord(record, 'credits');
    charged ??=
      pickNumber(record, 'creditsUsed', 'credits_used', 'creditsCharged') ?? pickNumber(credits, 'used', 'charged');
    balance ??=
      pickNumber(record, 'creditsRemaining', 'remainingCredits', 'balance') ??
      pickNumber(credits, 'remaining', 'balance');
  }
  return { ...(charged === undefined ? {} : { charged }), ...(balance === undefined ? {} : { balance }) };
}

/**
 * One Server-Sent Event: a task object (`data: {status,…}`, under any event name), a bare status
 * word (`data: processing`), or nothing we know (a keep-alive, another event): null.
 */
export function readEvent(data: string): TaskAnswer | null {
  const trimmed = data.trim();
  if (trimmed === '') return null;
  const parsed = parseJson(trimmed);
  if (parsed !== undefined && typeof parsed === 'object') return readTask(parsed);
  const word = typeof parsed === 'string' ? parsed : trimmed;
  if (!/^[A-Za-z_ -]{2,40}$/.test(word)) return null;
  return { status: workStatus(word), images: [] };
}

/** The description's text: plain text, or `{description}`, `{data:{description}}`, `{text}`, `{result}`. */
export function readDescription(raw: Buffer, contentType: string | null): string | null {
  // A proxy's HTML page is not a description.
  if (/html/i.test(contentType ?? '') || /^\s*<(!doctype|html)/i.test(raw.toString('utf8', 0, 64))) return null;
  const parsed = parseJson(raw);
  if (parsed === undefined || (!/json/i.test(contentType ?? '') && typeof parsed !== 'object')) {
    const text = raw.toString('utf8').trim();
    return text === '' ? null : text;
  }
  if (typeof parsed === 'string') return parsed.trim() || null;
  const root = asRecord(parsed);
  const inner = pickRecord(root, 'data', 'result') ?? root;
  const text =
    pickString(inner, 'description', 'text', 'productDescription', 'content') ??
    pickString(root, 'description', 'text', 'result');
  return text?.trim() || null;
}

/** An image answer: the bytes themselves, or JSON with base64 (`{base64}`, `{data:"data:image/…;base64,…"}`). */
export function readImageBody(raw: Buffer, contentType: string | null): Buffer | null {
  if (!/json/i.test(contentType ?? '') && raw[0] !== 0x7b) return raw.length > 0 ? raw : null;
  const root = asRecord(parseJson(raw));
  const text =
    pickString(root, 'base64', 'data', 'image', 'imageBase64') ??
    pickString(pickRecord(root, 'data'), 'base64', 'image');
  if (!text) return null;
  const base64 = text.replace(/^data:[^;,]*;base64,/i, '');
  // Standard or URL-safe alphabet (Node reads both).
  if (!/^[A-Za-z0-9+/_=\s-]+$/.test(base64)) return null;
  const bytes = Buffer.from(base64, 'base64');
  return bytes.length > 0 ? bytes : null;
}

/** AuraX's words in an error answer: `{error}`, `{message}`, `{errors:[{message}]}`, `{error:{message}}` or plain text. */
export function errorWords(raw: Buffer): string | null {
  const root = asRecord(parseJson(raw));
  if (!root) {
    const text = raw
      .toString('utf8')
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    return text === '' ? null : text.slice(0, 300);
  }
  const nested = pickRecord(root, 'error');
  const first = asRecord((pickList(root, 'errors') ?? [])[0]);
  return (
    pickString(root, 'error', 'message', 'detail', 'details') ??
    pickString(nested, 'message', 'code') ??
    pickString(first, 'message', 'msg') ??
    null
  );
}

/**
 * Out of credits, in any of its forms: a 402, or, on a refusal (400, 403) or a 2xx that says it did
 * not succeed, AuraX's own words or code saying so. Only AuraX's words are read (never an echoed
 * prompt or description), so a prompt about credits cannot pause the provider.
 */
export function isOutOfCredits(status: number, raw: Buffer): boolean {
  if (status === 402) return true;
  if (status !== 400 && status !== 403 && (status < 200 || status >= 300)) return false;
  const root = asRecord(parseJson(raw));
  if (status >= 200 && status < 300 && root?.success !== false && root?.error === undefined) return false;
  const words = [errorWords(raw), pickString(root, 'code'), pickString(pickRecord(root, 'error'), 'code')];
  return words.some((text) => text !== undefined && text !== null && OUT_OF_CREDITS.test(text));
}

const OUT_OF_CREDITS = /insufficient[\s_-]*credits?|not enough credits|out of credits|no credits left/i;
