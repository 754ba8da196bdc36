import { z } from 'zod';
import { ERROR_CODES } from './errors';
import { JobInputsSchema } from './job-inputs';

export { JobInputsSchema, type JobInputs } from './job-inputs';

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

/** What an `awaiting_input` job waits for. */
export const WAITING_FOR = ['mask', 'garment', 'approval'] as const;
export type WaitingFor = (typeof WAITING_FOR)[number];
export const WaitingForSchema = z.enum(WAITING_FOR);

export const JobErrorSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() });
export type JobError = z.infer<typeof JobErrorSchema>;

/** The message the UI shows as is for a job in needs_review. */
export const NEEDS_REVIEW_MESSAGE =
  'Shootline lost contact while sending this job; the provider may have received it. Resend (may be charged again) or discard.';

export const PICKS = ['none', 'picked', 'rejected'] as const;
export const PickSchema = z.enum(PICKS);
export const RatingSchema = z.number().int().min(0).max(5);

/** A job as the UI sees it. Times are milliseconds since the epoch. */
export const JobSchema = z.object({
  id: z.string(),
  shootId: z.string().nullable(),
  recipeId: z.string().nullable(),
  provider: z.string(),
  operation: z.string(),
  inputs: JobInputsSchema,
  params: z.record(z.string(), z.unknown()),
  state: JobStateSchema,
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  nextAttemptAt: z.number().nullable(),
  remoteId: z.string().nullable(),
  costEstimate: z.number().nullable(),
  costCharged: z.number().nullable(),
  lastError: JobErrorSchema.nullable(),
  priority: z.number().int(),
  waitingFor: WaitingForSchema.nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  finishedAt: z.number().nullable(),
});
export type Job = z.infer<typeof JobSchema>;

export const JobDetailSchema = JobSchema.extend({
  steps: z.array(
    z.object({
      step: z.string(),
      state: z.enum(['pending', 'sending', 'done']),
      remoteId: z.string().nullable(),
      updatedAt: z.number(),
    }),
  ),
  events: z.array(
    z.object({
      at: z.number(),
      event: z.string(),
      fromState: JobStateSchema.nullable(),
      toState: JobStateSchema,
      attempt: z.number().int(),
      error: JobErrorSchema.nullable(),
      detail: z.string().nullable(),
    }),
  ),
});
export type JobDetail = z.infer<typeof JobDetailSchema>;

export const PauseScopeSchema = z.enum(['global', 'provider', 'shoot']);
export type PauseScope = z.infer<typeof PauseScopeSchema>;

export const QueueStatsSchema = z.object({
  byState: z.record(z.string(), z.number().int()),
  byProvider: z.record(z.string(), z.record(z.string(), z.number().int())),
  paused: z.object({
    global: z.boolean(),
    providers: z.array(z.string()),
    shoots: z.array(z.string()),
    /** Providers the queue paused by itself (out of credits, key refused), with the reason to show. */
    providerReasons: z.record(z.string(), z.string()),
  }),
  /** Time left for the queued and running jobs, from recent durations; null until there is history. */
  etaMs: z.number().nullable(),
  /** Providers the queue cannot reach right now (their jobs wait and resume by themselves). */
  unreachable: z.array(z.string()),
});
export type QueueStats = z.infer<typeof QueueStatsSchema>;

export const RecipeSchema = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.string(),
  operation: z.string(),
  params: z.record(z.string(), z.unknown()),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Recipe = z.infer<typeof RecipeSchema>;

export const VariantSchema = z.object({
  id: z.string(),
  jobId: z.string(),
  assetId: z.string().nullable(),
  outputIndex: z.number().int(),
  mediaId: z.string(),
  kind: z.enum(['image', 'video', 'text']),
  mimeType: z.string(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  sizeBytes: z.number().int(),
  pick: PickSchema,
  rating: RatingSchema,
  approved: z.boolean(),
  /** The version of the source photo this was made from; older than the asset's own when it was re-saved since. */
  assetVersion: z.number().int().nullable(),
  /** The provider's own id and numbering (AIXpose picture id, version, subversion); null for local work. */
  remote: z
    .object({ id: z.string(), version: z.number().int().nullable(), subversion: z.number().int().nullable() })
    .nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Variant = z.infer<typeof VariantSchema>;

export const AssetCullSchema = z.object({ id: z.string(), pick: PickSchema, rating: RatingSchema });
export type AssetCull = z.infer<typeof AssetCullSchema>;
