import { useState, type FormEvent } from 'react';
import type { ShootListItem } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import { useApp, useClient } from '../../store/context';
import { DeleteShootDialog, MergeShootDialog } from './ShootDialogs';
import './shoots.css';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "12 photos · 5 with variants · 2 jobs running · 1 problem": what a shoot holds and how far it is. */
export function shootProgress(shoot: ShootListItem): string {
  const parts = [`${shoot.photos} photo${shoot.photos === 1 ? '' : 's'}`];
  if (shoot.withVariants > 0) parts.push(`${shoot.withVariants} with variants`);
  if (shoot.jobsPending > 0) parts.push(`${shoot.jobsPending} job${shoot.jobsPending === 1 ? '' : 's'} to do`);
  if (shoot.problems > 0) parts.push(`${shoot.problems} with problems`);
  return parts.join(' · ');
}

/** One shoot in the list: open it, see its progress, rename it in place, merge or delete it. */
export function ShootRow({ shoot }: { shoot: ShootListItem }): React.JSX.Element {
  const client = useClient();
  const openShoot = useApp((state) => state.openShoot);
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(shoot.name);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'delete' | 'merge' | null>(null);

  const rename = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    try {
      await client.call('shoots.rename', { id: shoot.id, name });
      setRenaming(false);
      setError(null);
    } catch (caught) {
      setError(caught instanceof AppError ? caught.message : 'Could not rename the shoot.');
    }
  };

  return (
    <li className="shoot-row" data-shoot-id={shoot.id}>
      {renaming ? (
        <form className="inline-form shoot-rename" onSubmit={(event) => void rename(event)}>
          <input
            aria-label="Shoot name"
            value={name}
            maxLength={255}
            autoFocus
            onChange={(event) => setName(event.target.value)}
          />
          <button type="submit" className="primary">
            Save
          </button>
          <button
            type="button"
            onClick={() => {
              setRenaming(false);
              setError(null);
            }}
          >
            Cancel
          </button>
          {error ? (
            <span role="alert" className="form-error">
              {error}
            </span>
          ) : null}
        </form>
      ) : (
        <button type="button" className="shoot-open link-button" onClick={() => openShoot(shoot.id)}>
          {shoot.name}
        </button>
      )}
      <span className="muted shoot-progress" data-testid="shoot-progress">
        {shootProgress(shoot)}
      </span>
      <time className="muted" dateTime={shoot.createdAt}>
        {dateFormat.format(new Date(shoot.createdAt))}
      </time>
      <span className="shoot-actions">
        <button
          type="button"
          aria-label={`Rename ${shoot.name}`}
          onClick={() => {
            setName(shoot.name);
            setRenaming(true);
          }}
        >
          Rename
        </button>
        <button type="button" aria-label={`Merge ${shoot.name}`} onClick={() => setDialog('merge')}>
          Merge…
        </button>
        <button type="button" aria-label={`Delete ${shoot.name}`} onClick={() => setDialog('delete')}>
          Delete…
        </button>
      </span>
      {dialog === 'delete' ? <DeleteShootDialog shoot={shoot} onClose={() => setDialog(null)} /> : null}
      {dialog === 'merge' ? <MergeShootDialog shoot={shoot} onClose={() => setDialog(null)} /> : null}
    </li>
  );
}
