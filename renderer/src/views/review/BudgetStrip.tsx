import { useEffect, useState } from 'react';
import { DismissibleBanner } from '../../components/DismissibleBanner';
import type { BudgetView } from '../../../../shared/budgets';
import { AppError } from '../../../../shared/errors';
import { formatAmount } from '../../../../shared/providers';
import { useClient } from '../../store/context';

/**
 * A shoot's budgets, one per provider, each in that provider's unit (AIXpose credits, ProductAI
 * tokens): what is committed against the cap, what waits for approval, and the approval itself.
 * `waiting` changes whenever a job starts or stops waiting, which reloads the figures.
 */
export function BudgetStrip({ shootId, waiting }: { shootId: string; waiting: number }): React.JSX.Element | null {
  const client = useClient();
  const [budgets, setBudgets] = useState<BudgetView[]>([]);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    client
      .call('budgets.list', { shootId })
      .then((list) => current && setBudgets(list))
      .catch(() => current && setBudgets([]));
    return () => {
      current = false;
    };
  }, [client, shootId, waiting]);

  const approve = async (budget: BudgetView): Promise<void> => {
    try {
      const result = await client.call('jobs.approveBudget', { shootId, provider: budget.provider });
      setBudgets(result.budgets);
      setNotice(
        `Approved ${formatAmount(budget.awaiting.amount, budget.unit)} at ${budget.providerName}: ${result.released} job${result.released === 1 ? '' : 's'} released.`,
      );
    } catch (error) {
      setNotice(error instanceof AppError ? error.message : 'Approval failed.');
    }
  };

  const setCap = async (budget: BudgetView, text: string): Promise<void> => {
    const cap = text.trim() === '' ? null : Number(text);
    if (cap !== null && (!Number.isFinite(cap) || cap < 0)) {
      setNotice(`A cap is a number of ${budget.unit.many}, or empty for none.`);
      return;
    }
    try {
      const saved = await client.call('budgets.set', { shootId, provider: budget.provider, cap });
      setBudgets((current) => current.map((known) => (known.provider === saved.provider ? saved : known)));
    } catch (error) {
      setNotice(error instanceof AppError ? error.message : 'The cap could not be saved.');
    }
  };

  if (budgets.length === 0) return null;
  return (
    <div className="budget-strip" aria-label="Budgets">
      {budgets.map((budget) => (
        <div
          key={budget.provider}
          className="budget"
          data-provider={budget.provider}
          role="group"
          aria-label={`${budget.providerName} budget`}
        >
          <strong>{budget.providerName}</strong>{' '}
          <span>
            {formatAmount(budget.committed, budget.unit)} committed
            {budget.cap === null ? ', no cap' : ` of a ${formatAmount(budget.cap, budget.unit)} cap`}
          </span>
          {' · cap '}
          <input
            type="number"
            min={0}
            step={1 / 10 ** budget.unit.fractionDigits}
            defaultValue={budget.cap ?? ''}
            placeholder="none"
            aria-label={`${budget.providerName} cap in ${budget.unit.many}`}
            onBlur={(event) => void setCap(budget, event.currentTarget.value)}
          />{' '}
          {budget.unit.many}
          {budget.awaiting.jobs > 0 ? (
            <span role="alert">
              {' '}
              {budget.awaiting.jobs === 1 ? '1 job waits' : `${budget.awaiting.jobs} jobs wait`} for approval (about{' '}
              {formatAmount(budget.awaiting.amount, budget.unit)}).{' '}
              <button type="button" className="primary" onClick={() => void approve(budget)}>
                Approve {formatAmount(budget.awaiting.amount, budget.unit)}
              </button>
            </span>
          ) : null}
        </div>
      ))}
      {notice ? (
        <DismissibleBanner kind="notice" onDismiss={() => setNotice(null)}>
          {notice}
        </DismissibleBanner>
      ) : null}
    </div>
  );
}
