import { useEffect, useRef, useState } from 'react';
import { AppError } from '../../../../../shared/errors';
import { FormError } from '../../../components/FormError';
import { useClient } from '../../../store/context';
import { useProviderUnits } from '../../../store/use-provider-units';
import { costWords } from '../../queue/cost-words';
import { ApproveSpendChoice } from './ApproveSpend';
import type { FashionOperation } from './fashion-operations';

const message = (error: unknown): string => (error instanceof AppError ? error.message : 'Something went wrong.');

/**
 * Describe garment or product photos: each gets a description (a text variant) written for its
 * product type, shown in the info panel and exported as the preset says. The cost first.
 */
export function DescribeDialog(props: {
  operation: FashionOperation;
  assetIds: readonly string[];
  onClose: (ran: boolean) => void;
}): React.JSX.Element {
  const { operation, assetIds, onClose } = props;
  const client = useClient();
  const unitOf = useProviderUnits();
  const dialog = useRef<HTMLDialogElement>(null);
  const [estimate, setEstimate] = useState<{ jobs: number; totalEstimate: number; awaitingApproval: number } | null>(
    null,
  );
  const [approve, setApprove] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const request = { provider: operation.provider, operation: operation.operation, assetIds: [...assetIds] };
  const key = JSON.stringify(request);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  useEffect(() => {
    let current = true;
    client
      .call('operations.estimate', JSON.parse(key) as typeof request)
      .then((answer) => {
        if (!current) return;
        setEstimate(answer);
        setError(null);
      })
      .catch((caught: unknown) => current && setError(message(caught)));
    return () => {
      current = false;
    };
    // Compared by its JSON (`key`), not by the object made each render.
  }, [client, key]);

  const run = async (): Promise<void> => {
    setBusy(true);
    try {
      await client.call('operations.run', { ...request, approve });
      onClose(true);
    } catch (caught) {
      setError(message(caught));
      setBusy(false);
    }
  };

  const photos = `${assetIds.length} photo${assetIds.length === 1 ? '' : 's'}`;
  return (
    <dialog ref={dialog} className="run-dialog" aria-label="Describe products" onCancel={() => onClose(false)}>
      <h2>
        Describe {photos} · {operation.providerName}
      </h2>
      <p className="muted">
        Each photo gets a written description for its product type. It shows in the info panel, can be edited there, and
        goes into exports as the preset says (in the picture’s caption or beside it).
      </p>
      <p role="status" className="estimate">
        {estimate
          ? `${estimate.jobs} description${estimate.jobs === 1 ? '' : 's'} · ${costWords(estimate.totalEstimate, unitOf(operation.provider)) ?? 'cost unknown'}`
          : 'Working out the cost…'}
      </p>
      {estimate ? (
        <ApproveSpendChoice checked={approve} onChange={setApprove} waiting={estimate.awaitingApproval} />
      ) : null}
      <FormError error={error} />
      <div className="dialog-actions">
        <button type="button" onClick={() => onClose(false)}>
          Cancel
        </button>
        <button type="button" className="primary" disabled={!estimate || busy} onClick={() => void run()}>
          Describe
        </button>
      </div>
    </dialog>
  );
}
