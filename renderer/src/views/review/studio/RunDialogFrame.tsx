import { useEffect, useRef, useState, type ReactNode } from 'react';
import { AppError } from '../../../../../shared/errors';
import { FormError } from '../../../components/FormError';
import { ApproveSpendChoice } from '../fashion/ApproveSpend';
import '../fashion/fashion.css';

/**
 * The frame of a dialog that sends paid work: its fields, the cost said on a status line before
 * anything is sent, "approve the spend now", the error of the last try, Cancel and the action.
 * The action stays disabled until the dialog says it is `ready` (fields valid, cost known).
 */
export function RunDialogFrame({
  label,
  title,
  estimate,
  estimateTestId,
  ready,
  actionLabel,
  run,
  onClose,
  problem,
  children,
}: {
  label: string;
  title: string;
  /** The cost (or why it is not known yet), in words. */
  estimate: string;
  estimateTestId: string;
  ready: boolean;
  actionLabel: string;
  /** Sends the work; `approve` is the user's "approve the spend now". */
  run: (approve: boolean) => Promise<void>;
  onClose: (ran: boolean) => void;
  /** A problem the dialog's own fields have (the cost could not be worked out). */
  problem?: string | null;
  children: ReactNode;
}): React.JSX.Element {
  const dialog = useRef<HTMLDialogElement>(null);
  const [approve, setApprove] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const send = async (): Promise<void> => {
    setBusy(true);
    try {
      await run(approve);
      onClose(true);
    } catch (caught) {
      setError(caught instanceof AppError ? caught.message : 'Something went wrong.');
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} className="run-dialog generate-dialog" aria-label={label} onCancel={() => onClose(false)}>
      <h2>{title}</h2>
      {children}
      <p role="status" className="estimate" data-testid={estimateTestId}>
        {estimate}
      </p>
      <ApproveSpendChoice checked={approve} onChange={setApprove} waiting={null} />
      <FormError error={error ?? problem ?? null} />
      <div className="dialog-actions">
        <button type="button" onClick={() => onClose(false)}>
          Cancel
        </button>
        <button type="button" className="primary" disabled={!ready || busy} onClick={() => void send()}>
          {actionLabel}
        </button>
      </div>
    </dialog>
  );
}
