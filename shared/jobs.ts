import { z } from 'zod';
import { ERROR_CODES } from './errors';

/**
 * A job's life (DESIGN.md, "The queue"). The state lives in the job's row, never only in memory.
 *
 *   awaiting_input → queued → preparing → submitting → remote → fetching → done
 *   preparing | submitting | remote | fetching → queued        (transient error: retry later; or a hold)
 *   submitting → needs_review → submitting (resend) | canceled (discard)
 *   any active state → failed (permanent error, or attempts spent); failed → queued (retry)
 *   any non-terminal state → canceled; canceled → queued (retry)
 */
export const JOB_STATES = [
  'awaiting_input',
  'queued',
  'preparing',
  'submitting',
  'remote',
  'fetching',
  'done',
  'needs_review',
  'failed',
  'canceled',
] as const;
export type JobState = (typeof JOB_STATES)[number];
export const JobStateSchema = z.enum(JOB_STATES);

/** States in which a worker holds the job (under a lease). */
export const ACTIVE_STATES = ['preparing', 'submitting', 'remote', 'fetching'] as const satisfies readonly JobState[];
/** States a job never leaves by itself; `failed` and `canceled` leave only when the user retries. */
export const SETTLED_STATES = ['done', 'failed', 'canceled'] as const satisfies readonly JobState[];

/** What an `awaiting_input` job waits for. */
export const WAITING_FOR = ['mask', 'garment', 'approval'] as const;
export type WaitingFor = (typeof WAITING_FOR)[number];
export const WaitingForSchema = z.enum(WAITING_FOR);

export const JobErrorSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() });
export type JobError = z.infer<typeof JobErrorSchema>;

/** The message the UI shows as is for a job in needs_review. */
export const NEEDS_REVIEW_MESSAGE =
  'Shootline lost contact while sending this job; the provider may have received it. Resend (may be charged again) or discard.';
