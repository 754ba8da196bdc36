import type { ApiClient } from '../../../bridge/client';

/**
 * "Approve this spend now": paid work beyond what a shoot's budget approved waits for approval;
 * the person who just read the cost in a dialog can give it there instead of in the budget strip.
 */
export function ApproveSpendChoice({
  checked,
  onChange,
  waiting,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  /** How many of the run's jobs are known to go beyond the budget (null: not known before the run). */
  waiting: number | null;
}): React.JSX.Element | null {
  if (waiting === 0) return null;
  return (
    <label className="approve-spend">
      <input type="checkbox" checked={checked} onChange={(event) => onChange(event.target.checked)} />
      {waiting === null
        ? ' Approve the spend now if the shoot’s budget does not cover it'
        : ` Approve the spend now (${waiting} beyond the shoot’s approved budget; otherwise they wait for approval)`}
    </label>
  );
}

/** Approves what a run left waiting at its provider, when the user asked to. */
export async function approveIfWaiting(
  client: ApiClient,
  run: { awaitingApproval: number },
  request: { shootId: string; provider: string; approve: boolean },
): Promise<void> {
  if (!request.approve || run.awaitingApproval === 0) return;
  await client.call('jobs.approveBudget', { shootId: request.shootId, provider: request.provider });
}
