import { createHash } from 'node:crypto';
import type { Db } from '../db/connection';
import { findRemoteJob } from '../db/jobs-repo';
import { deliveriesForWaitingJobs, deliveryHeard, recordDelivery } from '../db/webhook-deliveries-repo';
import type { Logger } from '../log';
import { verifySignature } from '../net/webhook-signature';
import type { PollResult, ProviderModule } from '../providers/contract';
import type { BoundAccount } from './key-binding';
import type { JobNews } from './job-news';

/** Deliveries larger than this are refused before they are read as JSON. */
export const MAX_WEBHOOK_BYTES = 256 * 1024;

/** What the receiver answers the provider: a status and a short reason (never a stack, never a 500). */
export interface WebhookAnswer {
  status: 200 | 202 | 400 | 401 | 404 | 413;
  message: string;
}

export interface WebhookReceiverDeps {
  db: Db;
  providers: ReadonlyMap<string, ProviderModule>;
  /** The provider account's secrets (the webhook secret is one of its fields). */
  account: (provider: ProviderModule) => Promise<BoundAccount | null>;
  tell: (jobId: string, news: JobNews) => void;
  now: () => number;
  log: Logger;
  /** Test seam: right after a delivery was recorded as heard (crash tests kill the process here). */
  afterHeard?: () => void;
}

/**
 * Hears a provider's webhook delivery. Signed deliveries are checked (malformed → 400, wrong or
 * stale → 401) and may report a job's status; unsigned ones only make the job read its status from
 * the provider. A delivery is heard once: a repeat answers 401 and changes nothing. Every answer is
 * a status from this list, whatever arrives.
 */
export class WebhookReceiver {
  constructor(private readonly deps: WebhookReceiverDeps) {}

  async receive(providerId: string, headers: Record<string, string | string[] | undefined>, rawBody: Uint8Array) {
    try {
      return await this.hear(providerId, headers, rawBody);
    } catch (error) {
      // A bug here must not become a 500 the provider retries for ever: it is logged and refused.
      this.deps.log.error('webhook.failed', { provider: providerId, error });
      return answer(400, 'The delivery could not be handled.');
    }
  }

  /**
   * At start: every delivery heard for a job that still waits on its provider is told again (its
   * news was in memory only when the app stopped). The job then finishes once, as the state machine
   * allows nothing else.
   */
  retell(): number {
    const waiting = deliveriesForWaitingJobs(this.deps.db);
    for (const { job, status } of waiting) this.deps.tell(job.id, (status as PollResult | null) ?? 'changed');
    return waiting.length;
  }

  private async hear(
    providerId: string,
    headers: Record<string, string | string[] | undefined>,
    rawBody: Uint8Array,
  ): Promise<WebhookAnswer> {
    const { db, log } = this.deps;
    const provider = this.deps.providers.get(providerId);
    const spec = provider?.webhook;
    if (!provider || !spec) return answer(404, 'No webhook here.');
    if (rawBody.byteLength > MAX_WEBHOOK_BYTES) return answer(413, 'The delivery is too large.');
    const signature = spec.signature;
    if (signature) {
      const secrets = (await this.deps.account(provider))?.secrets ?? {};
      const candidates = [signature.secretField, ...(signature.alsoSignedWith ?? [])]
        .map((field) => secrets[field])
        .filter((secret): secret is string => typeof secret === 'string' && secret !== '');
      if (candidates.length === 0) return answer(401, 'No webhook secret is set for this provider.');
      // The first secret that verifies wins; otherwise the first one's verdict says why.
      const verdicts = candidates.map((secret) =>
        verifySignature(signature, secret, headers[signature.header], rawBody, this.deps.now()),
      );
      const verdict = verdicts.find((candidate) => candidate.ok) ?? verdicts[0];
      if (verdict && !verdict.ok) {
        log.warn('webhook.refused', { provider: providerId, reason: verdict.reason });
        return answer(verdict.status, verdict.reason);
      }
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(rawBody).toString('utf8'));
    } catch {
      return answer(400, 'The delivery is not JSON.');
    }
    const delivery = spec.parse(body);
    if (!delivery || typeof delivery.remoteId !== 'string' || delivery.remoteId === '') {
      return answer(400, 'The delivery names no job.');
    }
    const deliveryId = delivery.deliveryId ?? createHash('sha256').update(rawBody).digest('hex');
    // A delivery heard before is refused like a forged one: the job already has its news, and a
    // replay inside the signature's window must change nothing.
    if (deliveryHeard(db, providerId, deliveryId)) return answer(401, 'This delivery was already heard.');
    const job = findRemoteJob(db, providerId, delivery.remoteId);
    // Signed: the status it reports. Unsigned: only a reason to ask the provider now. Recorded with
    // it, so a job still waiting after a restart is told again (see retell).
    const status = signature && delivery.status ? delivery.status : null;
    recordDelivery(db, { provider: providerId, deliveryId, remoteId: delivery.remoteId, status }, this.deps.now());
    this.deps.afterHeard?.();
    if (job) this.deps.tell(job.id, status ?? 'changed');
    return job ? answer(200, 'Heard.') : answer(202, 'No job waits for this.');
  }
}

function answer(status: WebhookAnswer['status'], message: string): WebhookAnswer {
  return { status, message };
}
