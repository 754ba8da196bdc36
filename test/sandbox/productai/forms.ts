/**
 * Answer forms of the ProductAI sandbox. Where the doc is silent, or where a real service might answer
 * otherwise than its examples, the sandbox answers in one form by default (the one its header's
 * assumptions describe); these switches make it answer in another plausible form, so a test can show a
 * client copes with each. They change only how answers are written, never what is checked: validation,
 * charging and the violation record are the same in every form.
 *
 * This file renders answers only; server.ts decides what happened.
 */
import type { JobRecord, LedgerEntry } from './server';

export interface ProductaiForms {
  /** A19. `id` as the doc's number (`22292`) or as a string (`"22292"`). */
  jobId: 'number' | 'string';
  /**
   * A20. The doc's RUNNING | COMPLETED | ERROR; the same in lower case; or QUEUED (first third of the
   * running time), IN_PROGRESS, COMPLETED | FAILED.
   */
  statusWords: 'doc' | 'lower' | 'extended';
  /** A21. A COMPLETED job's image: `image_url: "…"`, `image_url: ["…"]`, or `images: [{ url: "…" }]`. */
  resultUrl: 'image_url' | 'array' | 'images';
  /** A5. `{ status: "OK", data: job }` as in the doc, or the job object alone at the top level. */
  envelope: 'doc' | 'bare';
  /**
   * A4. Out of tokens: the doc's body with `outOfTokensStatus` (default 400); the same body with 402;
   * HTTP 200 with `{ status: "ERROR", message, details }`; or 403 with `{ error: { code, message } }`.
   */
  outOfTokens: 'doc400' | '402' | 'okError' | 'nested';
  /** A18. What a successful generate/upscale answer says was charged: nothing, `tokens_used`, or `cost`. */
  charge: 'none' | 'tokens_used' | 'cost';
  /** A23. What an ERROR job says about why: nothing, `error: "…"`, or `message: "…"`. */
  errorDetail: 'none' | 'error' | 'message';
  /**
   * A5. Armed by setting it to true: the next `garbageAfterChargeTimes` generate/upscale requests that
   * create (and charge) a job are answered 200 with `<html>gateway</html>` as text/html. It reads false
   * again once they are used up.
   */
  garbageAfterCharge: boolean;
  /** How many answers in a row `garbageAfterCharge` spoils once armed; default 1. */
  garbageAfterChargeTimes: number;
  /**
   * A8. `Retry-After` on 429s: none; whole seconds until the window frees a slot (rounded up, at least 1);
   * or that moment as an HTTP-date (with a `Date` header from the same clock, so the two agree under a
   * manual clock). Default 'seconds' when the older `retryAfter` option is set, else 'none'.
   */
  retryAfterStyle: 'none' | 'seconds' | 'date';
}

export function defaultForms(retryAfter: boolean): ProductaiForms {
  return {
    jobId: 'number',
    statusWords: 'doc',
    resultUrl: 'image_url',
    envelope: 'doc',
    outOfTokens: 'doc400',
    charge: 'none',
    errorDetail: 'none',
    garbageAfterCharge: false,
    garbageAfterChargeTimes: 1,
    retryAfterStyle: retryAfter ? 'seconds' : 'none',
  };
}

type ChoiceName = {
  [K in keyof ProductaiForms]: ProductaiForms[K] extends string ? K : never;
}[keyof ProductaiForms];

const CHOICES: { readonly [K in ChoiceName]: readonly ProductaiForms[K][] } = {
  jobId: ['number', 'string'],
  statusWords: ['doc', 'lower', 'extended'],
  resultUrl: ['image_url', 'array', 'images'],
  envelope: ['doc', 'bare'],
  outOfTokens: ['doc400', '402', 'okError', 'nested'],
  charge: ['none', 'tokens_used', 'cost'],
  errorDetail: ['none', 'error', 'message'],
  retryAfterStyle: ['none', 'seconds', 'date'],
};

const isChoiceName = (name: string): name is ChoiceName => Object.hasOwn(CHOICES, name);

/** Throws on a name or value the sandbox does not know, so a typo in a test cannot pass as the default form. */
export function checkForms(forms: Partial<ProductaiForms>): void {
  for (const [name, value] of Object.entries(forms) as [string, unknown][]) {
    if (value === undefined) continue;
    if (isChoiceName(name)) {
      const allowed: readonly unknown[] = CHOICES[name];
      if (!allowed.includes(value)) {
        throw new Error(`forms.${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
      }
    } else if (name === 'garbageAfterCharge') {
      if (typeof value !== 'boolean') throw new Error('forms.garbageAfterCharge must be a boolean');
    } else if (name === 'garbageAfterChargeTimes') {
      if (!Number.isInteger(value) || (value as number) < 1) {
        throw new Error('forms.garbageAfterChargeTimes must be a whole number of at least 1');
      }
    } else {
      throw new Error(`unknown answer form ${JSON.stringify(name)}`);
    }
  }
}

/** What rendering a job needs to know about it. */
export type JobFacts = Pick<
  JobRecord,
  'id' | 'operation' | 'prompt' | 'status' | 'createdAt' | 'dueAt' | 'outputUrl' | 'error'
>;

/** The job's status in the chosen words; `at` places a RUNNING job in the extended words' phases. */
export function statusWord(job: JobFacts, forms: ProductaiForms, at: number): string {
  switch (forms.statusWords) {
    case 'doc':
      return job.status;
    case 'lower':
      return job.status.toLowerCase();
    case 'extended':
      return extendedStatusWord(job, at);
  }
}

function extendedStatusWord(job: JobFacts, at: number): string {
  if (job.status === 'COMPLETED') return 'COMPLETED';
  if (job.status === 'ERROR') return 'FAILED';
  const queuedForMs = (job.dueAt - job.createdAt) / 3;
  return at - job.createdAt < queuedForMs ? 'QUEUED' : 'IN_PROGRESS';
}

/**
 * The job object (the doc's `data`): prompt for generate jobs, the image once COMPLETED, for ERROR only
 * id, status and, if chosen, why (A23).
 */
export function jobJson(job: JobFacts, forms: ProductaiForms, at: number): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: forms.jobId === 'string' ? String(job.id) : job.id,
    status: statusWord(job, forms, at),
  };
  if (job.status === 'ERROR') return { ...json, ...errorFields(job.error, forms) };
  if (job.operation === 'generate') json.prompt = job.prompt;
  if (job.status === 'COMPLETED') Object.assign(json, resultFields(job.outputUrl, forms));
  return json;
}

function resultFields(url: string | null, forms: ProductaiForms): Record<string, unknown> {
  switch (forms.resultUrl) {
    case 'image_url':
      return { image_url: url };
    case 'array':
      return { image_url: [url] };
    case 'images':
      return { images: [{ url }] };
  }
}

function errorFields(why: string | null, forms: ProductaiForms): Record<string, unknown> {
  const text = why ?? 'the job failed';
  switch (forms.errorDetail) {
    case 'none':
      return {};
    case 'error':
      return { error: text };
    case 'message':
      return { message: text };
  }
}

/** What a generate/upscale answer adds about the charge that created its job (A18). */
export function chargeFields(
  charge: Pick<LedgerEntry, 'tokens' | 'balanceAfter'>,
  forms: ProductaiForms,
): Record<string, unknown> {
  switch (forms.charge) {
    case 'none':
      return {};
    case 'tokens_used':
      return { tokens_used: charge.tokens };
    case 'cost':
      return { cost: { tokens: charge.tokens, balance: charge.balanceAfter } };
  }
}

/** Wraps a successful answer's job object as chosen (A5). */
export function envelope(data: Record<string, unknown>, forms: ProductaiForms): Record<string, unknown> {
  return forms.envelope === 'bare' ? data : { status: 'OK', data };
}

export interface FormedAnswer {
  status: number;
  json?: unknown;
  bytes?: Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Running out of tokens, as chosen (A4); `docStatus` is the `outOfTokensStatus` option for the doc's form. */
export function outOfTokensAnswer(forms: ProductaiForms, docStatus: number): FormedAnswer {
  const docBody = { name: 'ApiError', message: 'OUT_OF_TOKENS', details: 'Not enough credits' };
  switch (forms.outOfTokens) {
    case 'doc400':
      return { status: docStatus, json: docBody };
    case '402':
      return { status: 402, json: docBody };
    case 'okError':
      return { status: 200, json: { status: 'ERROR', message: 'OUT_OF_TOKENS', details: 'Not enough credits' } };
    case 'nested':
      return { status: 403, json: { error: { code: 'OUT_OF_TOKENS', message: 'Not enough credits' } } };
  }
}

/** What a gateway in front of the API might send after the API did the work: not JSON at all. */
export function garbageAnswer(): FormedAnswer {
  return { status: 200, bytes: Buffer.from('<html>gateway</html>'), contentType: 'text/html' };
}

/** The `Retry-After` (and, for a date, `Date`) headers of a 429 that frees a slot in `waitMs` (A8). */
export function retryAfterHeaders(forms: ProductaiForms, waitMs: number, at: number): Record<string, string> {
  switch (forms.retryAfterStyle) {
    case 'none':
      return {};
    case 'seconds':
      return { 'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))) };
    case 'date': {
      // HTTP-dates have whole seconds: round the moment up, and keep it at least a second after `Date`.
      const nowSecond = Math.floor(at / 1000);
      const retrySecond = Math.max(Math.ceil((at + waitMs) / 1000), nowSecond + 1);
      return {
        'Retry-After': new Date(retrySecond * 1000).toUTCString(),
        Date: new Date(nowSecond * 1000).toUTCString(),
      };
    }
  }
}

export interface FormSwitch {
  /** The forms in force; `garbageAfterCharge` is true while garbage answers are still due. */
  readonly current: Readonly<ProductaiForms>;
  /**
   * Merges the named forms in. `garbageAfterCharge: true` arms `garbageAfterChargeTimes` garbage answers,
   * `false` disarms them; a new `garbageAfterChargeTimes` alone changes how many are left only while armed.
   */
  set: (forms: Partial<ProductaiForms>) => void;
  /** Uses up one garbage answer if one is due, and says whether it did. */
  takeGarbage: () => boolean;
}

export function createFormSwitch(retryAfter: boolean, initial: Partial<ProductaiForms>): FormSwitch {
  let forms = defaultForms(retryAfter);
  let garbageLeft = 0;
  const set = (changes: Partial<ProductaiForms>) => {
    checkForms(changes);
    // A key given as undefined means "not named", not "back to nothing".
    const named = Object.fromEntries(
      Object.entries(changes).filter(([, value]) => value !== undefined),
    ) as Partial<ProductaiForms>;
    forms = { ...forms, ...named };
    if (named.garbageAfterCharge !== undefined || named.garbageAfterChargeTimes !== undefined) {
      garbageLeft = forms.garbageAfterCharge ? forms.garbageAfterChargeTimes : 0;
    }
  };
  set(initial);
  return {
    get current() {
      return forms;
    },
    set,
    takeGarbage: () => {
      if (garbageLeft === 0) return false;
      garbageLeft -= 1;
      // Once used up it is off, so a later count alone does not arm it again by surprise.
      if (garbageLeft === 0) forms = { ...forms, garbageAfterCharge: false };
      return true;
    },
  };
}
