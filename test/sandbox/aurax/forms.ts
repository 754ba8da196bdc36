/**
 * Answer forms of the AuraX sandbox. The doc (shared/api-docs/aurax.txt) lists endpoints, fields and
 * prices but shows no answer at all, so every answer's shape is a silent point. Each switch below is
 * one row of docs/providers/aurax.md's table; its first value is the sandbox's default. The switches
 * change only how answers are written, never what is checked: validation, charging, task timing and
 * the violation record are the same in every form.
 *
 * This file renders answers only; server.ts decides what happened.
 */

export interface AuraxForms {
  /** The answer to a task POST: `{taskId}`; `{id}`; `{data:{taskId}}`; `{success:true, data:{id}}`. */
  created: 'taskId' | 'id' | 'data.taskId' | 'success.data.id';
  /** The status answer: the task object `{taskId, status, images}` bare; `{data:{…}}`; `{task:{…}}`. */
  task: 'flat' | 'data' | 'task';
  /**
   * Status words: pending / processing / completed / failed; the same in upper case;
   * QUEUED / RUNNING / SUCCEEDED / ERROR; in_progress (pending and processing) / done / error.
   */
  statusWords: 'lower' | 'upper' | 'queued-running' | 'in_progress-done';
  /**
   * A completed task's images: `images: ["<id>"]`; `images: [{id}]`; `images: [{url}]` (a full URL to
   * `/images/:id` on the sandbox); `resultImageId: "<id>"` (no `images`).
   */
  images: 'ids' | 'objects' | 'urls' | 'resultImageId';
  /** GET /images/:id: the PNG bytes (`image/png`); JSON `{base64}`; JSON `{data:"data:image/png;base64,…"}`. */
  imageBody: 'bytes' | 'base64' | 'dataUrl';
  /** Error bodies: `{error:"…"}`; `{message:"…", code}`; `{errors:[{message}]}`; plain text. */
  errors: 'error' | 'message' | 'errors' | 'text';
  /** Out of credits: 402 `{error:"Insufficient credits"}`; 403 with the same; 400 `{code:"INSUFFICIENT_CREDITS"}`. */
  noCredits: '402' | '403' | '400';
  /** What a created/task/description answer says was charged: nothing; `creditsUsed`; `credits:{used, remaining}`. */
  charge: 'none' | 'creditsUsed' | 'credits';
  /** The description: plain text (`text/plain`); `{description}`; `{data:{description}}`; `{text}`. */
  description: 'text' | 'description' | 'data.description' | 'textField';
  /**
   * SSE events: `data: {task}` per change; `event: status` + `data: {task}` per change; `data: <status
   * word>` per change, then `event: done` + `data: {task}` after the final word.
   */
  events: 'data' | 'event-status' | 'word-then-done';
  /** What a failed task says about why: nothing; `error: "…"`; `reason: "…"`. */
  failure: 'none' | 'error' | 'reason';
  /** Which area of a try-on mask is the garment area: white (default) or black. Changes only the output. */
  maskPolarity: 'white' | 'black';
}

export const FORM_CHOICES: { readonly [K in keyof AuraxForms]: readonly AuraxForms[K][] } = {
  created: ['taskId', 'id', 'data.taskId', 'success.data.id'],
  task: ['flat', 'data', 'task'],
  statusWords: ['lower', 'upper', 'queued-running', 'in_progress-done'],
  images: ['ids', 'objects', 'urls', 'resultImageId'],
  imageBody: ['bytes', 'base64', 'dataUrl'],
  errors: ['error', 'message', 'errors', 'text'],
  noCredits: ['402', '403', '400'],
  charge: ['none', 'creditsUsed', 'credits'],
  description: ['text', 'description', 'data.description', 'textField'],
  events: ['data', 'event-status', 'word-then-done'],
  failure: ['none', 'error', 'reason'],
  maskPolarity: ['white', 'black'],
};

/** The first reading of every switch. */
export function defaultForms(): AuraxForms {
  const entries = Object.entries(FORM_CHOICES).map(([name, values]) => [name, values[0]]);
  return Object.fromEntries(entries) as AuraxForms;
}

/** Throws on a name or value the sandbox does not know, so a typo in a test cannot pass as the default. */
export function checkForms(forms: Partial<AuraxForms>): void {
  for (const [name, value] of Object.entries(forms) as [string, unknown][]) {
    if (value === undefined) continue;
    if (!Object.hasOwn(FORM_CHOICES, name)) throw new Error(`unknown answer form ${JSON.stringify(name)}`);
    const allowed: readonly unknown[] = FORM_CHOICES[name as keyof AuraxForms];
    if (!allowed.includes(value)) {
      throw new Error(`forms.${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
    }
  }
}

/** Merges named forms into `current`; a key given as undefined means "not named". */
export function mergeForms(current: AuraxForms, changes: Partial<AuraxForms>): AuraxForms {
  checkForms(changes);
  const named = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  return { ...current, ...(named as Partial<AuraxForms>) };
}

export type TaskStatus = 'pending' | 'processing' | 'completed' | 'failed';

export interface FormedAnswer {
  status: number;
  json?: unknown;
  bytes?: Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export function statusWord(status: TaskStatus, forms: AuraxForms): string {
  switch (forms.statusWords) {
    case 'lower':
      return status;
    case 'upper':
      return status.toUpperCase();
    case 'queued-running':
      return { pending: 'QUEUED', processing: 'RUNNING', completed: 'SUCCEEDED', failed: 'ERROR' }[status];
    case 'in_progress-done':
      return { pending: 'in_progress', processing: 'in_progress', completed: 'done', failed: 'error' }[status];
  }
}

/** What was charged for one request, in credits (exact quarters) and the balance left after it. */
export interface ChargeFacts {
  credits: number;
  remaining: number;
}

export function chargeFields(charge: ChargeFacts | null, forms: AuraxForms): Record<string, unknown> {
  if (!charge) return {};
  switch (forms.charge) {
    case 'none':
      return {};
    case 'creditsUsed':
      return { creditsUsed: charge.credits };
    case 'credits':
      return { credits: { used: charge.credits, remaining: charge.remaining } };
  }
}

/** A task POST's answer. */
export function createdAnswer(taskId: string, charge: ChargeFacts | null, forms: AuraxForms): FormedAnswer {
  const paid = chargeFields(charge, forms);
  switch (forms.created) {
    case 'taskId':
      return { status: 200, json: { taskId, ...paid } };
    case 'id':
      return { status: 200, json: { id: taskId, ...paid } };
    case 'data.taskId':
      return { status: 200, json: { data: { taskId, ...paid } } };
    case 'success.data.id':
      return { status: 200, json: { success: true, data: { id: taskId, ...paid } } };
  }
}

/** What rendering a task needs to know about it. */
export interface TaskFacts {
  id: string;
  status: TaskStatus;
  imageIds: readonly string[];
  error: string | null;
}

/**
 * The task object (status answers and SSE events): its id, its status word, its images once completed
 * (an empty list before, in the list forms), why it failed if chosen, and what it cost if chosen.
 */
export function taskObject(
  task: TaskFacts,
  charge: ChargeFacts | null,
  forms: AuraxForms,
  origin: string,
): Record<string, unknown> {
  const json: Record<string, unknown> = { taskId: task.id, status: statusWord(task.status, forms) };
  const ids = task.status === 'completed' ? task.imageIds : [];
  switch (forms.images) {
    case 'ids':
      json.images = [...ids];
      break;
    case 'objects':
      json.images = ids.map((id) => ({ id }));
      break;
    case 'urls':
      json.images = ids.map((id) => ({ url: `${origin}/images/${id}` }));
      break;
    case 'resultImageId':
      if (ids[0] !== undefined) json.resultImageId = ids[0];
      break;
  }
  if (task.status === 'failed') {
    const why = task.error ?? 'the task failed';
    if (forms.failure === 'error') json.error = why;
    if (forms.failure === 'reason') json.reason = why;
  }
  return { ...json, ...chargeFields(charge, forms) };
}

/** GET /api/ai/task/:id's answer. */
export function taskAnswer(object: Record<string, unknown>, forms: AuraxForms): FormedAnswer {
  switch (forms.task) {
    case 'flat':
      return { status: 200, json: object };
    case 'data':
      return { status: 200, json: { data: object } };
    case 'task':
      return { status: 200, json: { task: object } };
  }
}

/** The SSE frames for one status change (`final` for completed/failed, after which the stream ends). */
export function eventFrames(status: TaskStatus, object: Record<string, unknown>, final: boolean, forms: AuraxForms) {
  const json = JSON.stringify(object);
  switch (forms.events) {
    case 'data':
      return `data: ${json}\n\n`;
    case 'event-status':
      return `event: status\ndata: ${json}\n\n`;
    case 'word-then-done':
      return `data: ${statusWord(status, forms)}\n\n${final ? `event: done\ndata: ${json}\n\n` : ''}`;
  }
}

export function imageAnswer(png: Buffer, forms: AuraxForms): FormedAnswer {
  switch (forms.imageBody) {
    case 'bytes':
      return { status: 200, bytes: png, contentType: 'image/png' };
    case 'base64':
      return { status: 200, json: { base64: png.toString('base64') } };
    case 'dataUrl':
      return { status: 200, json: { data: `data:image/png;base64,${png.toString('base64')}` } };
  }
}

/** Error codes the `message` form names, by HTTP status. */
const ERROR_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  500: 'INTERNAL_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

export function errorAnswer(status: number, message: string, forms: AuraxForms): FormedAnswer {
  switch (forms.errors) {
    case 'error':
      return { status, json: { error: message } };
    case 'message':
      return { status, json: { message, code: ERROR_CODES[status] ?? `HTTP_${status}` } };
    case 'errors':
      return { status, json: { errors: [{ message }] } };
    case 'text':
      return { status, bytes: Buffer.from(message), contentType: 'text/plain; charset=utf-8' };
  }
}

export function noCreditsAnswer(forms: AuraxForms): FormedAnswer {
  switch (forms.noCredits) {
    case '402':
      return { status: 402, json: { error: 'Insufficient credits' } };
    case '403':
      return { status: 403, json: { error: 'Insufficient credits' } };
    case '400':
      return { status: 400, json: { code: 'INSUFFICIENT_CREDITS' } };
  }
}

export function descriptionAnswer(text: string, charge: ChargeFacts | null, forms: AuraxForms): FormedAnswer {
  const paid = chargeFields(charge, forms);
  switch (forms.description) {
    case 'text':
      return { status: 200, bytes: Buffer.from(text), contentType: 'text/plain; charset=utf-8' };
    case 'description':
      return { status: 200, json: { description: text, ...paid } };
    case 'data.description':
      return { status: 200, json: { data: { description: text, ...paid } } };
    case 'textField':
      return { status: 200, json: { text, ...paid } };
  }
}
