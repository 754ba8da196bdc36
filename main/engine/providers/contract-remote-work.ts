import type { SignatureScheme } from '../net/webhook-signature';
import type { RemoteJob } from '../remote-job';
import type { PollResult, ProviderContext, SubmitContext } from './contract';

/**
 * The contract's parts about work a provider holds beyond one request (contract.ts re-exports them):
 * webhooks a provider calls, webhooks managed through its API, and finding a lost submit again.
 */

/**
 * How a provider's webhook deliveries are read. A signed delivery (checked against the secret in
 * the account field `secretField`) may report a job's status, which the queue then takes as a poll
 * answer; an unsigned one is only a hint: the queue reads the job's status from the provider before
 * anything changes.
 */
export interface WebhookSpec {
  signature?: SignatureScheme & {
    secretField: string;
    /**
     * Further account fields a delivery may be signed with, tried after `secretField` (AI Visual
     * Studio may sign with the API key itself: docs/providers/aivisualstudio.md).
     */
    alsoSignedWith?: readonly string[];
  };
  /**
   * The job a delivery is about (the provider's remote id), the delivery's own id when it has one
   * (deliveries are heard once), and for a signed delivery the status it reports. Null: not a
   * delivery this module understands.
   */
  parse: (body: unknown) => { remoteId: string; deliveryId?: string; status?: PollResult } | null;
}

/** A webhook registered at a provider, as its API lists it (never with its secret). */
export interface RegisteredWebhook {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  createdAt: string | null;
}

/** Manages a provider's webhooks through its API. */
export interface WebhookAdmin {
  list: (context: ProviderContext) => Promise<RegisteredWebhook[]>;
  /**
   * Registers `url`. The secret deliveries are signed with, when the answer gives it (only then),
   * is handed to `keep` as soon as it is read, before the rest of the answer is: it is never shown again.
   */
  create: (
    context: ProviderContext,
    url: string,
    keep: (secret: string) => Promise<void>,
  ) => Promise<{ webhook: RegisteredWebhook; secret: string | null }>;
  update: (
    context: ProviderContext,
    id: string,
    patch: { url?: string; active?: boolean },
  ) => Promise<RegisteredWebhook>;
  remove: (context: ProviderContext, id: string) => Promise<void>;
}

/**
 * What `reconcile` is told of the submit it looks for: the step whose answer was lost and when its
 * request left (this machine's clock), and which of the provider's works are already some job's.
 */
export interface ReconcileContext extends SubmitContext {
  lost: { step: string; sentAt: number };
  /** Of these remote ids, the ones a job (any job) already holds: never adopted again. */
  claimed: (remoteIds: readonly string[]) => Set<string>;
  /**
   * Other jobs of this provider whose request may also have arrived unanswered (read when called:
   * after the listing, so a sibling that sent meanwhile is among them). The module judges which of
   * them asked for work its listing cannot tell apart from this job's.
   */
  rivals: () => { operation: string; params: Record<string, unknown> }[];
}

/**
 * adopt: the lost submit's work was found (exactly one candidate), with what it was charged when
 * the listing says; absent: it certainly did not arrive, sending it again is safe; review: it
 * cannot be told apart (none found, or several), a person decides.
 */
export type ReconcileOutcome =
  | { outcome: 'adopt'; remote: RemoteJob; charged?: number }
  | { outcome: 'absent' }
  | { outcome: 'review'; reason: string };
