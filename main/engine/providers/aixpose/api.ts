import type { HttpResponse } from '../http';
import { ProviderRequestError } from '../http';

/** What AIXpose answers about a picture (docs/providers/aixpose.md, A8–A9). */
export interface PictureJson {
  id: string;
  project_id?: string;
  status?: string;
  public_url?: string | null;
  version?: number;
  subversion?: number;
  error?: unknown;
}

export interface VideoJson {
  id: string;
  project_id?: string;
  status?: string;
  public_url?: string | null;
  error?: unknown;
}

export const SCENE_TYPES = ['interior', 'exterior'] as const;
export const ASPECT_RATIOS = ['1:1', '4:3', '3:2', '16:9', '21:9', '3:4', '2:3', '9:16'] as const;
export const RESOLUTIONS = ['1K', '2K', '4K'] as const;
/** AIXpose's own upload ceiling is not documented; 20 MB is what we assume and keep under. */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
/** Assumed (A12): a video takes 1–20 completed pictures of one project. */
export const MAX_VIDEO_PICTURES = 20;

export function json<T>(response: HttpResponse): T {
  try {
    return JSON.parse(response.body.toString('utf8')) as T;
  } catch {
    throw new ProviderRequestError('AIXpose sent an answer that is not JSON.', { kind: 'invalid_response' });
  }
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
