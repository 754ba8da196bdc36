import { FormError } from '../../components/FormError';
import { useEffect, useRef, useState } from 'react';
import type { ShootDeletePlan } from '../../../../shared/api-shoots';
import type { ShootListItem } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import { useApp, useClient } from '../../store/context';

const message = (error: unknown): string => (error instanceof AppError ? error.message : 'Something went wrong.');
const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/** A modal that opens itself and closes on Escape. */
function useModal(): React.RefObject<HTMLDialogElement | null> {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => dialog.current?.showModal(), []);
  return dialog;
}

/**
 * Deleting a shoot says first what happens: the photos on disk are not touched, its variants are
 * removed from the library, open jobs are canceled (those a provider already has are named, as it
 * may still charge), and a hot-folder subfolder is ignored until restored.
 */
export function DeleteShootDialog({
  shoot,
  onClose,
}: {
  shoot: ShootListItem;
  onClose: () => void;
}): React.JSX.Element {
  const client = useClient();
  const say = useApp((state) => state.say);
  const dialog = useModal();
  const [plan, setPlan] = useState<ShootDeletePlan | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    client
      .call('shoots.deletePlan', { id: shoot.id })
      .then(setPlan)
      .catch((caught: unknown) => setError(message(caught)));
  }, [client, shoot.id]);

  const remove = async (): Promise<void> => {
    setBusy(true);
    try {
      await client.call('shoots.delete', { id: shoot.id });
      say(`Deleted “${shoot.name}”. Its photos are still on disk.`);
      onClose();
    } catch (caught) {
      setError(message(caught));
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} className="run-dialog" aria-label={`Delete ${shoot.name}`} onCancel={onClose}>
      <h2>Delete “{shoot.name}”?</h2>
      {plan ? (
        <ul className="delete-plan" data-testid="delete-plan">
          <li>
            {plural(plan.photos, 'photo')} stay on disk untouched
            {plan.hotFolder ? ` in ${plan.hotFolder.name}/${plan.hotFolder.folder || ''}` : ''}.
          </li>
          <li>{plural(plan.variants, 'variant')} made in this shoot are removed from the library.</li>
          {plan.openJobs > 0 ? <li>{plural(plan.openJobs, 'unfinished job')} are canceled.</li> : null}
          {plan.notRecallable.length > 0 ? (
            <li className="form-error">
              Already sent, so canceling cannot call them back and the provider may still charge:
              <ul>
                {plan.notRecallable.map((job) => (
                  <li key={job.jobId}>
                    {job.fileName ?? 'A shoot job'} · {job.provider} {job.operation}
                  </li>
                ))}
              </ul>
            </li>
          ) : null}
          {plan.hotFolder ? (
            <li>
              The folder “{plan.hotFolder.folder || plan.hotFolder.name}” is ignored from now on; restore it under Hot
              folders to bring its photos back.
            </li>
          ) : null}
        </ul>
      ) : error ? null : (
        <p className="muted">Counting what it holds…</p>
      )}
      <FormError error={error} />
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Keep it
        </button>
        <button type="button" className="danger" disabled={!plan || busy} onClick={() => void remove()}>
          Delete shoot
        </button>
      </div>
    </dialog>
  );
}

/** Merges one shoot into another chosen from the list: its photos and jobs move there. */
export function MergeShootDialog({ shoot, onClose }: { shoot: ShootListItem; onClose: () => void }): React.JSX.Element {
  const client = useClient();
  const say = useApp((state) => state.say);
  const others = useApp((state) => state.shoots).filter((candidate) => candidate.id !== shoot.id);
  const dialog = useModal();
  const [into, setInto] = useState(others[0]?.id ?? '');
  const [error, setError] = useState<string | null>(null);
  const target = others.find((candidate) => candidate.id === into);

  const merge = async (): Promise<void> => {
    try {
      await client.call('shoots.merge', { from: shoot.id, into });
      say(`Merged “${shoot.name}” into “${target?.name ?? ''}”.`);
      onClose();
    } catch (caught) {
      setError(message(caught));
    }
  };

  return (
    <dialog ref={dialog} className="run-dialog" aria-label={`Merge ${shoot.name}`} onCancel={onClose}>
      <h2>Merge “{shoot.name}” into another shoot</h2>
      {others.length === 0 ? (
        <p className="muted">There is no other shoot to merge it into.</p>
      ) : (
        <label className="field">
          Into
          <select value={into} onChange={(event) => setInto(event.target.value)}>
            {others.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <p className="muted">
        Its {plural(shoot.photos, 'photo')}, their variants and jobs move there; photos still arriving in its folder
        join it too. Nothing on disk moves.
      </p>
      <FormError error={error} />
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="primary" disabled={!target} onClick={() => void merge()}>
          Merge
        </button>
      </div>
    </dialog>
  );
}
