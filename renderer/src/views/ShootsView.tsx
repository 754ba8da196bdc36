import { useEffect, useState, type FormEvent } from 'react';
import { useApp, useClient } from '../store/context';
import { AssetView } from './review/AssetView';
import { ShootView } from './review/ShootView';
import { useReviewKeys } from './review/use-review-keys';
import { ShootRow } from './shoots/ShootRow';

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
  const loadShoots = useApp((state) => state.loadShoots);
  const hotFolders = useApp((state) => state.hotFolders);
  const createShoot = useApp((state) => state.createShoot);
  const setSection = useApp((state) => state.setSection);
  const say = useApp((state) => state.say);
  const [name, setName] = useState('');
  const [folderId, setFolderId] = useState('');
  const [busy, setBusy] = useState(false);
  const hotFolder = hotFolders.find((folder) => folder.id === folderId) ?? hotFolders[0];

  // Counts and progress: fresh each time the list is shown, then following ingest and the queue
  // (at most once a second).
  const client = useClient();
  useEffect(() => {
    void loadShoots();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const later = (): void => {
      timer ??= setTimeout(() => {
        timer = undefined;
        void loadShoots();
      }, 1000);
    };
    const unsubscribe = [
      client.on('asset.added', later),
      client.on('asset.updated', later),
      client.on('job.updated', later),
    ];
    return () => {
      unsubscribe.forEach((stop) => stop());
      clearTimeout(timer);
    };
  }, [client, loadShoots]);

  const onSubmit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!name.trim() || busy || !hotFolder) return;
    setBusy(true);
    const created = await createShoot(name, hotFolder.id);
    setBusy(false);
    if (created) {
      setName('');
      say(`Made the folder ${hotFolder.path}/${created.name}: copy photos into it and they appear in the shoot.`);
    }
  };

  return (
    <section className="view" aria-labelledby="shoots-title">
      <header className="view-header">
        <h1 id="shoots-title">Shoots</h1>
        {hotFolder ? (
          <form className="inline-form" onSubmit={(event) => void onSubmit(event)}>
            <input
              aria-label="New shoot name"
              placeholder="New shoot name"
              value={name}
              maxLength={255}
              onChange={(event) => setName(event.target.value)}
            />
            {hotFolders.length > 1 ? (
              <select
                aria-label="In hot folder"
                value={hotFolder.id}
                onChange={(event) => setFolderId(event.target.value)}
              >
                {hotFolders.map((folder) => (
                  <option key={folder.id} value={folder.id}>
                    in {folder.name}
                  </option>
                ))}
              </select>
            ) : null}
            <button type="submit" className="primary" disabled={!name.trim() || busy}>
              New shoot
            </button>
          </form>
        ) : (
          <p className="muted">
            A shoot is a folder of photos inside a hot folder.{' '}
            <button type="button" className="link-button" onClick={() => setSection('hot-folders')}>
              Add a hot folder
            </button>{' '}
            to make one.
          </p>
        )}
      </header>
      {!loaded ? (
        <p className="empty">Loading shoots…</p>
      ) : shoots.length === 0 ? (
        <p className="empty">No shoots yet. Make one here, or copy a folder of photos into a hot folder.</p>
      ) : (
        <ul className="shoot-list" aria-label="Shoots">
          {shoots.map((shoot) => (
            <ShootRow key={shoot.id} shoot={shoot} />
          ))}
        </ul>
      )}
    </section>
  );
}
