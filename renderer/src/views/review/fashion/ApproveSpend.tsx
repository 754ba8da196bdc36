/**
 * "Approve this spend now": paid work beyond what a shoot's budget approved waits for approval;
 * the person who just read the cost in a dialog can give it there, for this run's jobs only (the
 * engine approves them in the run's own transaction), instead of in the budget strip.
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
