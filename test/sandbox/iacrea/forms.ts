/**
 * The silent points of the iacrea Exterior Creation doc (shared/api-docs/iacrea-exterior.txt), each a
 * switch with at least three plausible readings; the first is the sandbox's default. Unlike a pure
 * answer shape, some switches change what is accepted (maskFormat, sizeRule, originalUrl,
 * maskPolarity's alpha reading) or charged (variationCost): each refusal they cause is recorded as a
 * violation like any other rule. See I4, I8, I9, I11, I12, I14, I16 and I17 in server.ts.
 *
 * This file holds the switches and writes answers; server.ts and endpoints.ts decide what happened.
 */
import type { GenerationStatus } from './types';

export interface IacreaForms {
  /** Error bodies: `{error}`; `{message, statusCode}`; `{errors:[{field, message}]}`; plain text. */
  errors: 'error' | 'message' | 'errors' | 'text';
  /** The HTTP status when the user has no photo left (the body follows `errors`). */
  noPhotos: '402' | '403' | '400';
  /** The area to build in: white pixels; black pixels; opaque pixels of the alpha channel. */
  maskPolarity: 'white' | 'black' | 'alpha';
  /**
   * Masks accepted: PNG or JPEG at the photo's exact upright size; PNG only at that size; PNG or JPEG
   * of any size with the photo's aspect ratio (within 1%), resized (an advisory, not a violation).
   */
  maskFormat: 'exact' | 'png-exact' | 'same-aspect';
  /**
   * What width/height must match: the photo's exact upright size; its aspect ratio within 1%;
   * nothing. The outputs are made at width×height in every reading.
   */
  sizeRule: 'exact' | 'aspect' | 'none';
  /** A variation costs nothing; 1 photo; 1 photo only when it brings a new mask_url. */
  variationCost: 'free' | 'photo' | 'new-mask';
  /**
   * What original_url must be: any fetchable image of the project photo's upright size; the exact
   * URL string of the project's image_url; the same bytes (SHA-256) whatever the URL.
   */
  originalUrl: 'same-size' | 'same-url' | 'same-bytes';
  /**
   * variationNumber in get answers: the generation's own place, fixed when it was made (0 for the
   * generate, n for the nth variation); the project's number of variations now, the same for every
   * generation of it; the variations made on the project before this generation (0 for the generate
   * and for the first variation).
   */
  variationNumber: 'index' | 'project' | 'before';
  /**
   * Webhook payload: `{generation_id, status, <urls>}`; `{event:"generation.completed",
   * data:{generation_id, status, <urls>}}`; `{id, status}` (no urls: the client must call get).
   */
  webhook: 'flat' | 'event' | 'id-status';
  /** How result URLs are written: `urls: ["…"]`; `urls: [{url}]`; `url: "…"` (the first only, no urls). */
  urls: 'strings' | 'objects' | 'url';
  /**
   * Output links: public (no key, like a CDN link); the `x-api-key` of the generation's user needed;
   * signed links (`?expires=<unix s>&signature=<hex>`) that stop working after `fileUrlTtlMs`.
   */
  files: 'public' | 'key' | 'expiring';
}

export const FORM_CHOICES: { readonly [K in keyof IacreaForms]: readonly IacreaForms[K][] } = {
  errors: ['error', 'message', 'errors', 'text'],
  noPhotos: ['402', '403', '400'],
  maskPolarity: ['white', 'black', 'alpha'],
  maskFormat: ['exact', 'png-exact', 'same-aspect'],
  sizeRule: ['exact', 'aspect', 'none'],
  variationCost: ['free', 'photo', 'new-mask'],
  originalUrl: ['same-size', 'same-url', 'same-bytes'],
  variationNumber: ['index', 'project', 'before'],
  webhook: ['flat', 'event', 'id-status'],
  urls: ['strings', 'objects', 'url'],
  files: ['public', 'key', 'expiring'],
};

/** The first reading of every switch. */
export function defaultForms(): IacreaForms {
  const entries = Object.entries(FORM_CHOICES).map(([name, values]) => [name, values[0]]);
  return Object.fromEntries(entries) as IacreaForms;
}

/** Merges named forms into `current`; throws on an unknown name or value so a typo cannot pass as a default. */
export function mergeForms(current: IacreaForms, changes: Partial<IacreaForms>): IacreaForms {
  const named: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(changes) as [string, unknown][]) {
    if (value === undefined) continue;
    if (!Object.hasOwn(FORM_CHOICES, name)) throw new Error(`unknown iacrea form ${JSON.stringify(name)}`);
    const allowed: readonly unknown[] = FORM_CHOICES[name as keyof IacreaForms];
    if (!allowed.includes(value)) {
      throw new Error(`forms.${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
    }
    named[name] = value;
  }
  return { ...current, ...(named as Partial<IacreaForms>) };
}

export interface Answer {
  status: number;
  json?: unknown;
  bytes?: Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

/** One thing wrong with a request: a rule name for tests, words for people, the field it is about. */
export interface Problem {
  rule: string;
  reason: string;
  field?: string;
}

/** An error answer listing every problem, in the chosen body form (I4). */
export function errorAnswer(status: number, problems: readonly Problem[], forms: IacreaForms): Answer {
  const message = problems.map((problem) => problem.reason).join('; ');
  switch (forms.errors) {
    case 'error':
      return { status, json: { error: message } };
    case 'message':
      return { status, json: { message, statusCode: status } };
    case 'errors':
      return {
        status,
        json: { errors: problems.map((problem) => ({ field: problem.field ?? null, message: problem.reason })) },
      };
    case 'text':
      return { status, bytes: Buffer.from(message), contentType: 'text/plain; charset=utf-8' };
  }
}

export const NO_PHOTOS_MESSAGE = 'No photos remaining on this account';

/** The answer when a charge would go below zero (I14): the status chosen, the body in the errors form. */
export function noPhotosAnswer(forms: IacreaForms): Answer {
  return errorAnswer(Number(forms.noPhotos), [{ rule: 'no-photos', reason: NO_PHOTOS_MESSAGE }], forms);
}

/** Result URLs as chosen; nothing when there are none (not SUCCEEDED). */
export function urlFields(urls: readonly string[] | null, forms: IacreaForms): Record<string, unknown> {
  if (urls === null) return {};
  switch (forms.urls) {
    case 'strings':
      return { urls: [...urls] };
    case 'objects':
      return { urls: urls.map((url) => ({ url })) };
    case 'url':
      return urls[0] === undefined ? {} : { url: urls[0] };
  }
}

/** What the variationNumber readings need to know about a generation and its project. */
export interface VariationFacts {
  variationIndex: number;
  projectVariations: number;
}

export function variationNumber(facts: VariationFacts, forms: IacreaForms): number {
  switch (forms.variationNumber) {
    case 'index':
      return facts.variationIndex;
    case 'project':
      return facts.projectVariations;
    case 'before':
      return Math.max(0, facts.variationIndex - 1);
  }
}

/** The get answer: status, urls only when SUCCEEDED, variationNumber. */
export function getAnswer(
  status: GenerationStatus,
  urls: readonly string[] | null,
  facts: VariationFacts,
  forms: IacreaForms,
): Answer {
  return {
    status: 200,
    json: {
      status,
      ...urlFields(status === 'SUCCEEDED' ? urls : null, forms),
      variationNumber: variationNumber(facts, forms),
    },
  };
}

/** The body POSTed to a webhook once a generation is SUCCEEDED or FAILED (I16). */
export function webhookPayload(
  generationId: string,
  status: GenerationStatus,
  urls: readonly string[] | null,
  forms: IacreaForms,
): Record<string, unknown> {
  const data = { generation_id: generationId, status, ...urlFields(status === 'SUCCEEDED' ? urls : null, forms) };
  switch (forms.webhook) {
    case 'flat':
      return data;
    case 'event':
      return { event: 'generation.completed', data };
    case 'id-status':
      return { id: generationId, status };
  }
}
