/**
 * What the AIXpose adapter assumes where the doc is silent, each in one place
 * (docs/providers/aixpose.md lists the readings we considered for each).
 */

/**
 * The instruction source word for a custom prompt. The doc lists "preset actions, custom prompts,
 * quick actions or consistency goals" and sends `preset` for preset actions: by that pattern a
 * custom prompt is `custom`, with its text in `prompt`.
 */
export const PROMPT_SOURCE = 'custom';

/** Where the optional video directions the doc describes only in words ("voice or background direction") go. */
export const VIDEO_DIRECTION_FIELDS = { voice: 'voice_direction', background: 'background_direction' } as const;

/**
 * Aspect ratios are offered from AIXpose's catalog; the recipe takes any W:H the catalog may
 * name. Offline, before a catalog was ever read, these are offered: the doc's example (16:9) and
 * the common photographic ratios.
 */
export const ASPECT_RATIO_PATTERN = /^[1-9]\d?:[1-9]\d?$/;
export const FALLBACK_ASPECT_RATIOS = ['16:9', '3:2', '4:3', '1:1', '21:9', '2:3', '3:4', '9:16'] as const;

export const SCENE_TYPES = ['interior', 'exterior'] as const;
export const RESOLUTIONS = ['1K', '2K', '4K'] as const;
/** AIXpose's own upload ceiling is not documented; 20 MB is what we assume and keep under. */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
/** Assumed (A12): a video takes 1–20 completed pictures of one project. */
export const MAX_VIDEO_PICTURES = 20;

/**
 * Codes (any case) with which AIXpose may say "the same request is still being worked on" or "that
 * picture is not ready yet": both mean ask again later, never a refusal.
 */
const WAIT_CODES = new Set([
  'idempotency_key_in_use',
  'request_in_progress',
  'in_progress',
  'processing',
  'picture_not_ready',
  'not_ready',
  'resource_not_ready',
]);
const WAIT_WORDS = /in progress|in use|still (being )?process|not ready|not yet ready|still uploading/i;

/** Is this 409 (or 425) AIXpose's way of saying "wait"? Judged by its code, else its words. */
export function meansWait(status: number, code: string | undefined, message: string): boolean {
  if (status !== 409 && status !== 425) return false;
  if (code && WAIT_CODES.has(code.toLowerCase())) return true;
  return WAIT_WORDS.test(message);
}

/** The readable part of AIXpose's `error` field on a failed picture or video, if any. */
export function failureMessage(error: unknown, fallback: string): string {
  if (typeof error === 'string' && error.trim()) return `${fallback} AIXpose says: ${error.trim()}`;
  if (typeof error === 'object' && error !== null) {
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string' && message.trim()) return `${fallback} AIXpose says: ${message.trim()}`;
  }
  return fallback;
}
