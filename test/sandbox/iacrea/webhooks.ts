import type { WebhookAttempt } from './types';

/**
 * Webhook delivery (I16): the doc says only "The URL we call once the generation is complete", so the
 * sandbox POSTs JSON, unsigned, and retries a failed delivery a few times with a short wait.
 */
export interface DeliveryPlan {
  generationId: string;
  url: string;
  body: Record<string, unknown>;
  attempts: number;
  retryDelayMs: number;
  timeoutMs: number;
  now: () => number;
  /** Aborted when the sandbox closes: no more attempts. */
  stop: AbortSignal;
  /** Called with each attempt as it ends. */
  record: (attempt: WebhookAttempt) => void;
}

/** Sends until a 2xx or the attempts run out; says whether it was delivered. Never throws. */
export async function deliver(plan: DeliveryPlan): Promise<boolean> {
  const raw = JSON.stringify(plan.body);
  for (let attempt = 1; attempt <= plan.attempts; attempt += 1) {
    if (plan.stop.aborted) return false;
    const at = plan.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(plan.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'User-Agent': 'iacrea-webhooks (sandbox)' },
        body: raw,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(plan.timeoutMs), plan.stop]),
      });
      await response.arrayBuffer().catch(() => undefined);
      status = response.status;
    } catch (problem) {
      error = problem instanceof Error ? problem.message : String(problem);
    }
    const ok = status !== null && status >= 200 && status < 300;
    plan.record({
      generationId: plan.generationId,
      url: plan.url,
      attempt,
      status,
      error,
      ok,
      body: JSON.parse(raw) as unknown,
      at,
    });
    if (ok) return true;
    if (attempt < plan.attempts && !(await wait(plan.retryDelayMs, plan.stop))) return false;
  }
  return false;
}

/** Resolves true after `ms`, or false at once when `stop` aborts first. */
function wait(ms: number, stop: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (stop.aborted) {
      resolve(false);
      return;
    }
    const onStop = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      stop.removeEventListener('abort', onStop);
      resolve(true);
    }, ms);
    stop.addEventListener('abort', onStop, { once: true });
  });
}
