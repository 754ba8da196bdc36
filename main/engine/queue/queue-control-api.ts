import type { ApiHandlers } from '../../../shared/api';
import { AppError } from '../../../shared/errors';
import { clearPause, setPause } from '../db/pauses-repo';
import { setProviderPausedReason } from '../db/provider-accounts-repo';
import { shootBudgets } from './budgets-api';
import { QueueApiSupport, type QueueApiContext } from './api-context';
import { queueStats } from './queue-stats';

type ControlMethods = 'queue.pause' | 'queue.resume' | 'queue.stats' | 'jobs.approveBudget';

/** The queue as a whole: pause and resume it (all, a provider, a shoot), its counts, and approving spend. */
export function createQueueControlApi(context: QueueApiContext): Pick<ApiHandlers, ControlMethods> {
  const { db, runner, events, now } = context;
  const support = new QueueApiSupport(context);
  const stats = () => queueStats(db, runner.reachability());
  const announceStats = () => {
    const result = stats();
    events.emit('queue.stats', result);
    return result;
  };
  return {
    'jobs.approveBudget': ({ shootId, provider, amount }) => {
      support.requireShoot(shootId);
      if (provider !== undefined && !context.providers.has(provider)) {
        throw new AppError('not_found', `No provider named ${provider}.`);
      }
      const at = now();
      // Without a provider: approve what waits at each provider the shoot waits at (each in its unit).
      const targets = provider
        ? [provider]
        : shootBudgets(db, context.providers, shootId).map((budget) => budget.provider);
      const released = targets.flatMap((target) => support.giver.approveBudget(shootId, target, amount, at));
      support.announceAll(released);
      runner.wake();
      return { released: released.length, budgets: shootBudgets(db, context.providers, shootId) };
    },

    'queue.pause': ({ scope, id }) => {
      support.requirePauseTarget(scope, id);
      setPause(db, scope, id ?? '', 'paused by the user', now());
      return announceStats();
    },

    'queue.resume': ({ scope, id }) => {
      support.requirePauseTarget(scope, id);
      clearPause(db, scope, id ?? '');
      // Resuming a provider also lifts a pause the queue made itself (credits topped up, key fixed).
      if (scope === 'provider' && id) setProviderPausedReason(db, id, null, now());
      runner.wake();
      return announceStats();
    },

    'queue.stats': () => stats(),
  };
}
