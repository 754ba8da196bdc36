import { useState, type FormEvent } from 'react';
import { useApp } from '../store/context';
import { AssetView } from './review/AssetView';
import { ShootView } from './review/ShootView';
import { useReviewKeys } from './review/use-review-keys';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Shoots: the list, or the open shoot's grid, or one of its photos. */
export function ShootsSection(): React.JSX.Element {
  const openShootId = useApp((state) => state.openShootId);
  const openAssetId = useApp((state) => state.openAssetId);
  if (openShootId) return <OpenShoot photo={openAssetId !== null} />;
  return <ShootsView />;
}

/** A shoot's grid or one of its photos, with the keys they share (undo, redo, info). */
function OpenShoot({ photo }: { photo: boolean }): React.JSX.Element {
  useReviewKeys();
  return photo ? <AssetView /> : <ShootView />;
}

export function ShootsView(): React.JSX.Element {
  const shoots = useApp((state) => state.shoots);
  const loaded = useApp((state) => state.shootsLoaded);
  const createShoot = useApp((state) => state.createShoot);
  const openShoot = useApp((state) => state.openShoot);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!name.trim() || busy) return;
    setBusy(true);
    const created = await createShoot(name);
    setBusy(false);
    if (created) setName('');
  };

  return (
    <section className="view" aria-labelledby="shoots-title">
      <header className="view-header">
        <h1 id="shoots-title">Shoots</h1>
        <form className="inline-form" onSubmit={(event) => void onSubmit(event)}>
          <input
            aria-label="New shoot name"
            placeholder="New shoot name"
            value={name}
            maxLength={200}
            onChange={(event) => setName(event.target.value)}
          />
          <button type="submit" className="primary" disabled={!name.trim() || busy}>
            New shoot
          </button>
        </form>
      </header>
      {!loaded ? (
        <p className="empty">Loading shoots…</p>
      ) : shoots.length === 0 ? (
        <p className="empty">No shoots yet. Create one here, or drop a folder of photos into a hot folder.</p>
      ) : (
        <ul className="shoot-list" aria-label="Shoots">
          {shoots.map((shoot) => (
            <li key={shoot.id} className="shoot-row" data-shoot-id={shoot.id}>
              <button type="button" className="shoot-open link-button" onClick={() => openShoot(shoot.id)}>
                {shoot.name}
              </button>
              <time className="muted" dateTime={shoot.createdAt}>
                {dateFormat.format(new Date(shoot.createdAt))}
              </time>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
