/**
 * Answer forms: where the doc is silent about how an answer looks (its wrapping, field names, status
 * words, error codes…), the sandbox answers in one form by default, the one listed first below and
 * described under ASSUMPTIONS in server.ts. A test can switch each silent point to another plausible
 * form (`forms` option, `setForms()`), so an adapter is shown to survive every reading of the doc,
 * not only the one the sandbox happened to pick. Most switches change only the rendering; two change
 * what is accepted: `promptSource` (the one word taken for a prompt) and `uploadReadiness` (when an
 * upload can be used). Strictness, charges, stored answers, the `violations`, `requests` and `ledger`
 * records and webhook events are the same in every form (webhook events keep the doc's own shape;
 * `sandbox.pictures()` and friends keep the default shape).
 */
import {
  ACTION_GROUPS,
  ACTIONS,
  ASPECT_RATIO_NAMES,
  type AspectRatio,
  instructionSources,
  MODELS,
  PROMPT_SOURCES,
  type PromptSource,
  RESOLUTIONS,
  SCENE_LOCATIONS,
} from './catalog';
import type { JobStatus, LedgerEntry, PictureJson, VideoJson } from './server';
import { isoSeconds, newId } from './util';

export interface AixposeForms {
  /** A8: the 202 answer of POST /v1/pictures/{id}/enhancements. */
  enhancementAnswer: 'array' | 'data' | 'pictures' | 'enhancement' | 'garbage';
  /** A8: how every list answer wraps its items. */
  listShape: 'data' | 'array' | 'items';
  /** A7: the status words of pictures and videos. */
  statusWords: 'lower' | 'upper' | 'synonyms';
  /** A9, A12: the names of a picture's and a video's own id and URL. */
  objectFields: 'id' | 'named';
  /** A5: the `instruction.source` word of a custom prompt. */
  promptSource: PromptSource;
  /** A8: the shape of GET /v1/catalog/actions. */
  catalogActions: 'flat' | 'nested' | 'objects';
  /** A5, A8: which catalog answer carries the scene types and their locations. */
  sceneLocationsIn: 'actions' | 'models' | 'aspect-ratios';
  /** A5, A8: the entries of GET /v1/catalog/aspect-ratios. */
  aspectRatios: 'objects' | 'strings' | 'values';
  /** A10: the entries of GET /v1/credits/ledger. */
  ledgerEntries: 'reason' | 'kind' | 'type';
  /** A6, A7: whether a file or base64 upload is completed at once or after `durations.pictureUploadMs`. */
  uploadReadiness: 'immediate' | 'delayed';
  /** A1, A7: the 409 code for a picture that is not completed yet. */
  notReadyCode: 'picture_not_ready' | 'not_ready' | 'resource_not_ready';
  /** A1, A3: the 409 code while the first request with the same Idempotency-Key still runs. */
  inProgressCode: 'idempotency_key_in_use' | 'request_in_progress' | 'conflict';
  /** A1: the error body. */
  errorShape: 'nested' | 'flat' | 'problem';
  /**
   * A9: how a generated picture names the picture it was made from: `source_picture_id`, `parent_id`,
   * or not at all ('none': nothing in a listing ties a variant to its source).
   */
  sourceField: 'source_picture_id' | 'parent_id' | 'none';
}

/**
 * The default forms, first of each list: today's answers, the ones the adapter was written against,
 * except `promptSource: 'custom'`, the doc's own word ("custom prompts").
 */
export const DEFAULT_FORMS: Readonly<AixposeForms> = {
  enhancementAnswer: 'array',
  listShape: 'data',
  statusWords: 'lower',
  objectFields: 'id',
  promptSource: 'custom',
  catalogActions: 'flat',
  sceneLocationsIn: 'actions',
  aspectRatios: 'objects',
  ledgerEntries: 'reason',
  uploadReadiness: 'immediate',
  notReadyCode: 'picture_not_ready',
  inProgressCode: 'idempotency_key_in_use',
  errorShape: 'nested',
  sourceField: 'source_picture_id',
};

/** Every value of every switch, so a value smuggled past the types (a test's cast) is refused. */
const FORM_VALUES: { [K in keyof AixposeForms]: readonly AixposeForms[K][] } = {
  enhancementAnswer: ['array', 'data', 'pictures', 'enhancement', 'garbage'],
  listShape: ['data', 'array', 'items'],
  statusWords: ['lower', 'upper', 'synonyms'],
  objectFields: ['id', 'named'],
  promptSource: ['custom', 'prompt', 'custom_prompt'],
  catalogActions: ['flat', 'nested', 'objects'],
  sceneLocationsIn: ['actions', 'models', 'aspect-ratios'],
  aspectRatios: ['objects', 'strings', 'values'],
  ledgerEntries: ['reason', 'kind', 'type'],
  uploadReadiness: ['immediate', 'delayed'],
  notReadyCode: ['picture_not_ready', 'not_ready', 'resource_not_ready'],
  inProgressCode: ['idempotency_key_in_use', 'request_in_progress', 'conflict'],
  errorShape: ['nested', 'flat', 'problem'],
  sourceField: ['source_picture_id', 'parent_id', 'none'],
};

/** `current` with `changes` applied; throws on an unknown switch, an unknown value or a contradiction. */
export function mergeForms(current: Readonly<AixposeForms>, changes: Partial<AixposeForms> = {}): AixposeForms {
  const merged: AixposeForms = { ...current };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (!(name in FORM_VALUES)) throw new Error(`unknown AIXpose form switch "${name}"`);
    const allowed: readonly string[] = FORM_VALUES[name as keyof AixposeForms];
    if (typeof value !== 'string' || !allowed.includes(value)) {
      throw new Error(`form ${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
    }
    Object.assign(merged, { [name]: value });
  }
  // A bare array has no room for the scene types, and they must be served somewhere.
  if (merged.listShape === 'array' && merged.sceneLocationsIn !== 'actions') {
    throw new Error(`listShape 'array' leaves no room for scene types in ${merged.sceneLocationsIn}`);
  }
  return merged;
}

// ---------------------------------------------------------------- objects

const STATUS_WORDS: Record<AixposeForms['statusWords'], Record<JobStatus, string>> = {
  lower: { queued: 'queued', processing: 'processing', completed: 'completed', failed: 'failed' },
  upper: { queued: 'QUEUED', processing: 'PROCESSING', completed: 'COMPLETED', failed: 'FAILED' },
  synonyms: { queued: 'pending', processing: 'in_progress', completed: 'succeeded', failed: 'error' },
};

export function statusWord(status: JobStatus, forms: AixposeForms): string {
  return STATUS_WORDS[forms.statusWords][status];
}

/** Renames keys in place of the old ones, so a renamed field keeps its position in the JSON. */
function renameKeys(object: object, names: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [names[key] ?? key, value]));
}

function jobAnswer(job: PictureJson | VideoJson, idName: string, forms: AixposeForms): Record<string, unknown> {
  const withStatus = { ...job, status: statusWord(job.status, forms) };
  return forms.objectFields === 'named' ? renameKeys(withStatus, { id: idName, public_url: 'url' }) : withStatus;
}

export function pictureAnswer(picture: PictureJson, forms: AixposeForms): Record<string, unknown> {
  const answer = jobAnswer(picture, 'picture_id', forms);
  if (forms.sourceField === 'source_picture_id') return answer;
  const { source_picture_id: source, ...rest } = answer;
  return forms.sourceField === 'parent_id' ? { ...rest, parent_id: source } : rest;
}

export function videoAnswer(video: VideoJson, forms: AixposeForms): Record<string, unknown> {
  return jobAnswer(video, 'video_id', forms);
}

// ---------------------------------------------------------------- lists

/**
 * A list answer in the current `listShape`, with the answer's other top-level keys (`extras`) kept.
 * `bareArrayAllowed: false` is for an answer whose extras cannot be dropped (the actions catalog):
 * it stays `{ "data": [...] }` under `listShape: 'array'`.
 */
export function listAnswer(
  items: readonly unknown[],
  forms: AixposeForms,
  extras: Record<string, unknown> = {},
  bareArrayAllowed = true,
): unknown {
  if (forms.listShape === 'array' && bareArrayAllowed) return items;
  if (forms.listShape === 'items') return { items, has_more: false, next_cursor: null, ...extras };
  return { data: items, ...extras };
}

// ---------------------------------------------------------------- enhancements

export interface RenderedBody {
  body: unknown;
  /** Absent for JSON. */
  contentType?: string;
}

export const GARBAGE_HTML = '<html><body>502 upstream hiccup</body></html>';

export function enhancementAnswer(
  pictures: readonly PictureJson[],
  forms: AixposeForms,
  credits: { charged: number; balance: number },
): RenderedBody {
  const rendered = pictures.map((picture) => pictureAnswer(picture, forms));
  switch (forms.enhancementAnswer) {
    case 'array':
      return { body: rendered };
    case 'data':
      return { body: { data: rendered } };
    case 'pictures':
      return { body: { pictures: rendered, credits_charged: credits.charged, balance: credits.balance } };
    case 'enhancement':
      return {
        body: {
          enhancement: { id: newId('enh'), status: statusWord('queued', forms), variants: rendered },
          credits: { charged: credits.charged, remaining: credits.balance },
        },
      };
    case 'garbage':
      // A proxy in front of the API swallowed the real answer: the work was done all the same.
      return { body: GARBAGE_HTML, contentType: 'text/html' };
  }
}

// ---------------------------------------------------------------- prompt source

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Why an enhancement body's custom prompt is sent under the wrong source word, or null (A5,
 * `promptSource`). It is the mistake an adapter built on another reading of the doc would make, so it
 * is told apart from a generic validation error and names the words this API takes. A source word is
 * "for a prompt" when it is one of the candidate prompt words or the instruction carries a `prompt`.
 */
export function wrongPromptSource(
  body: unknown,
  promptSource: PromptSource,
): { message: string; accepted: string[] } | null {
  const instruction = isRecord(body) ? body.instruction : undefined;
  if (!isRecord(instruction) || typeof instruction.source !== 'string') return null;
  const source = instruction.source;
  const accepted = instructionSources(promptSource);
  if (accepted.includes(source)) return null;
  const promptWord = (PROMPT_SOURCES as readonly string[]).includes(source);
  if (!promptWord && !('prompt' in instruction)) return null;
  return {
    message:
      `instruction.source "${source}" is not accepted for a custom prompt; send "${promptSource}" ` +
      `(accepted sources: ${accepted.join(', ')}).`,
    accepted,
  };
}

// ---------------------------------------------------------------- errors

export interface ErrorFacts {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  /** The one field the refusal is about, when there is one. */
  field?: string;
}

/** `[{ field, message }]` for RFC 7807 `errors`: from validation details, else from the one field. */
function fieldErrors(error: ErrorFacts): { field: string; message: string }[] {
  if (Array.isArray(error.details)) {
    return error.details.filter(
      (item): item is { field: string; message: string } =>
        typeof item === 'object' && item !== null && 'field' in item && 'message' in item,
    );
  }
  return error.field === undefined ? [] : [{ field: error.field, message: error.message }];
}

export function errorBody(error: ErrorFacts, forms: AixposeForms): RenderedBody {
  const field = error.field === undefined ? {} : { field: error.field };
  switch (forms.errorShape) {
    case 'nested': {
      const details = error.details === undefined ? {} : { details: error.details };
      return { body: { error: { code: error.code, message: error.message, ...details, ...field } } };
    }
    case 'flat':
      return { body: { code: error.code, message: error.message, ...field } };
    case 'problem':
      return {
        body: {
          type: `https://api.aixpose.art/errors/${error.code}`,
          title: error.message,
          status: error.status,
          detail: error.message,
          code: error.code,
          errors: fieldErrors(error),
        },
        contentType: 'application/problem+json',
      };
  }
}

// ---------------------------------------------------------------- ledger

const resourceType = (id: string): 'picture' | 'video' => (id.startsWith('vid_') ? 'video' : 'picture');

function ledgerKind(entry: LedgerEntry): 'charge' | 'grant' | 'refund' {
  if (entry.reason === 'refund') return 'refund';
  if (entry.reason === 'grant') return 'grant';
  if (entry.reason === 'adjustment') return entry.amount >= 0 ? 'grant' : 'charge';
  return 'charge';
}

function ledgerOperation(entry: LedgerEntry): 'enhancement' | 'video' | null {
  if (entry.reason === 'enhancement' || entry.reason === 'video') return entry.reason;
  const first = entry.resourceIds[0];
  if (entry.reason !== 'refund' || first === undefined) return null;
  return resourceType(first) === 'video' ? 'video' : 'enhancement';
}

function ledgerDescription(entry: LedgerEntry): string {
  const count = entry.resourceIds.length;
  switch (entry.reason) {
    case 'grant':
      return 'Starting balance';
    case 'enhancement':
      return `Enhancement: ${count} ${count === 1 ? 'picture' : 'pictures'}`;
    case 'video':
      return 'Video';
    case 'refund':
      return `Refund for a failed ${resourceType(entry.resourceIds[0] ?? '')}`;
    case 'adjustment':
      return 'Balance adjustment';
  }
}

function ledgerEntryAnswer(entry: LedgerEntry, forms: AixposeForms): Record<string, unknown> {
  const first = entry.resourceIds[0] ?? null;
  switch (forms.ledgerEntries) {
    case 'reason':
      return {
        id: entry.id,
        created_at: isoSeconds(entry.at),
        amount: entry.amount,
        balance_after: entry.balanceAfter,
        reason: entry.reason,
        resource_ids: entry.resourceIds,
        idempotency_key: entry.idempotencyKey,
      };
    case 'kind':
      return {
        id: entry.id,
        kind: ledgerKind(entry),
        amount: Math.abs(entry.amount),
        operation: ledgerOperation(entry),
        resource_id: first,
        created_at: isoSeconds(entry.at),
      };
    case 'type':
      return {
        id: entry.id,
        type: entry.amount < 0 ? 'debit' : 'credit',
        credits: Math.abs(entry.amount),
        description: ledgerDescription(entry),
        resource: first === null ? null : { type: resourceType(first), id: first },
        timestamp: isoSeconds(entry.at),
      };
  }
}

export function ledgerAnswer(entries: readonly LedgerEntry[], forms: AixposeForms): unknown {
  return listAnswer(
    entries.map((entry) => ledgerEntryAnswer(entry, forms)),
    forms,
  );
}

// ---------------------------------------------------------------- catalog

/** `{ scene_types: [...] }` for the catalog answer that carries them in the current form, else `{}`. */
function sceneTypesIn(answer: AixposeForms['sceneLocationsIn'], forms: AixposeForms): Record<string, unknown> {
  if (forms.sceneLocationsIn !== answer) return {};
  return { scene_types: Object.entries(SCENE_LOCATIONS).map(([id, locations]) => ({ id, locations })) };
}

function actionItems(forms: AixposeForms): unknown[] {
  switch (forms.catalogActions) {
    case 'flat':
      return [...ACTIONS];
    case 'nested':
      return ACTION_GROUPS.map((group) => ({
        id: group.id,
        name: group.name,
        actions: ACTIONS.filter((action) => action.group === group.id).map(({ id, name, scene_types }) => ({
          id,
          name,
          scene_types,
        })),
      }));
    case 'objects':
      return ACTIONS.map((action) => {
        const group = ACTION_GROUPS.find((candidate) => candidate.id === action.group);
        return {
          id: action.id,
          name: action.name,
          group: { id: action.group, name: group?.name ?? action.group },
          scene_types: action.scene_types,
        };
      });
  }
}

export function actionsCatalogAnswer(forms: AixposeForms): unknown {
  // Only the flat form needs the group list beside the actions; the others carry their groups inside.
  const groups =
    forms.catalogActions === 'flat'
      ? { groups: ACTION_GROUPS.map((group) => ({ id: group.id, name: group.name, scene_type: group.sceneType })) }
      : {};
  return listAnswer(actionItems(forms), forms, { ...groups, ...sceneTypesIn('actions', forms) }, false);
}

export function modelsCatalogAnswer(forms: AixposeForms): unknown {
  return listAnswer(MODELS, forms, sceneTypesIn('models', forms));
}

function aspectRatioEntry(id: AspectRatio, forms: AixposeForms): unknown {
  switch (forms.aspectRatios) {
    case 'objects': {
      const [width = 1, height = 1] = id.split(':').map(Number);
      return { id, width, height };
    }
    case 'strings':
      return id;
    case 'values':
      return { value: id, name: ASPECT_RATIO_NAMES[id] ?? id };
  }
}

export function aspectRatiosCatalogAnswer(ratios: readonly AspectRatio[], forms: AixposeForms): unknown {
  return listAnswer(
    ratios.map((id) => aspectRatioEntry(id, forms)),
    forms,
    { resolutions: RESOLUTIONS, ...sceneTypesIn('aspect-ratios', forms) },
  );
}
