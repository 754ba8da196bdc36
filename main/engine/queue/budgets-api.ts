import type { ApiHandlers } from '../../../shared/api';
import type { BudgetView } from '../../../shared/budgets';
import { DEFAULT_UNIT } from '../../../shared/providers';
import { AppError } from '../../../shared/errors';
import { committedSpend, getBudget, jobsAwaitingApproval, saveBudget, shootProviders } from '../db/budgets-repo';
import type { Db } from '../db/connection';
import { writeTransaction } from '../db/connection';
import type { ProviderModule } from '../providers/contract';
import { QueueApiSupport, type QueueApiContext } from './api-context';

type BudgetMethods = 'budgets.list' | 'budgets.set';

/** The shoot's budget at one provider as the UI shows it: in that provider's unit, with what waits. */
export function budgetView(
  db: Db,
  providers: ReadonlyMap<string, ProviderModule>,
  shootId: string,
  provider: string,
): BudgetView {
  const module = providers.get(provider);
  const budget = getBudget(db, shootId, provider);
  const waiting = jobsAwaitingApproval(db, shootId, provider);
  return {
    shootId,
    provider,
    providerName: module?.name ?? provider,
    unit: module?.unit ?? DEFAULT_UNIT,
    cap: budget.cap,
    approved: budget.approved,
    autoApprove: budget.autoApprove,
    committed: committedSpend(db, shootId, provider),
    awaiting: { jobs: waiting.length, amount: waiting.reduce((sum, job) => sum + job.estimate, 0) },
  };
}

/** Every budget of a shoot: one per provider it has work or a budget at, paid providers only. */
export function shootBudgets(db: Db, providers: ReadonlyMap<string, ProviderModule>, shootId: string): BudgetView[] {
  return shootProviders(db, shootId)
    .filter((provider) => providers.get(provider)?.generative !== false)
    .map((provider) => budgetView(db, providers, shootId, provider));
}

/** Caps and auto-approval per (shoot, provider), each in the provider's own unit. */
export function createBudgetsApi(context: QueueApiContext): Pick<ApiHandlers, BudgetMethods> {
  const { db, providers, runner, now } = context;
  const support = new QueueApiSupport(context);
  return {
    'budgets.list': ({ shootId }) => {
      support.requireShoot(shootId);
      return shootBudgets(db, providers, shootId);
    },

    'budgets.set': ({ shootId, provider, cap, autoApprove }) => {
      support.requireShoot(shootId);
      if (!providers.has(provider)) throw new AppError('not_found', `No provider named ${provider}.`);
      const at = now();
      // A higher cap or auto-approval may cover jobs waiting for approval: they move on at once.
      const released = writeTransaction(db, () => {
        const budget = getBudget(db, shootId, provider);
        saveBudget(
          db,
          { ...budget, cap: cap === undefined ? budget.cap : cap, autoApprove: autoApprove ?? budget.autoApprove },
          at,
        );
        return support.giver.releaseFitting(shootId, provider, at);
      });
      support.announceAll(released);
      runner.wake();
      return budgetView(db, providers, shootId, provider);
    },
  };
}
