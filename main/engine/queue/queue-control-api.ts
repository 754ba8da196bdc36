import type { ApiHandlers } from '../../../shared/api';
import { AppError } from '../../../shared/errors';
import { committedSpend, getBudget, jobsAwaitingApproval, saveBudget } from '../db/budgets-repo';
import { clearPause, setPause } from '../db/pauses-repo';
import { setProviderPausedReason } from '../db/provider-accounts-repo';
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
    'jobs.approveBudget': ({ shootId, amount }) => {
      support.requireShoot(shootId);
      const budget = getBudget(db, shootId);
      const waiting = jobsAwaitingApproval(db, shootId).reduce((sum, job) => sum + job.estimate, 0);
      const approved = Math.max(budget.approved, committedSpend(db, shootId)) + (amount ?? waiting);
      if (budget.cap !== null && approved > budget.cap + 1e-9) {
        throw new AppError(
          'conflict',
          `Approving ${approved} credits would exceed this shoot's cap of ${budget.cap}. Raise the cap first.`,
          { cap: budget.cap, approved },
        );
      }
      saveBudget(db, { ...budget, approved }, now());
      const released = support.releaseApproved(shootId);
      runner.wake();
      return { approved, released };
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
