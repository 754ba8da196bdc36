import { useState, type FormEvent } from 'react';
import { useApp } from '../store/context';

/**
 * Watched folders. In a browser the folder is typed as a path on the engine's machine; the desktop
 * app's native folder picker comes with the review UI.
 */
export function HotFoldersView(): React.JSX.Element {
  const folders = useApp((state) => state.hotFolders);
  const loaded = useApp((state) => state.hotFoldersLoaded);
  const add = useApp((state) => state.addHotFolder);
  const remove = useApp((state) => state.removeHotFolder);
  const [folderPath, setFolderPath] = useState('');
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!folderPath.trim() || busy) return;
    setBusy(true);
    if (await add(folderPath.trim())) setFolderPath('');
    setBusy(false);
  };

  return (
    <section className="view" aria-labelledby="hot-folders-title">
      <header className="view-header">
        <h1 id="hot-folders-title">Hot folders</h1>
        <form className="inline-form" onSubmit={(event) => void onSubmit(event)}>
          <input
            aria-label="Folder path"
            placeholder="/path/to/incoming shoots"
            value={folderPath}
            size={40}
            onChange={(event) => setFolderPath(event.target.value)}
          />
          <button type="submit" className="primary" disabled={!folderPath.trim() || busy}>
            Watch folder
          </button>
        </form>
      </header>
      {!loaded ? (
        <p className="empty">Loading hot folders…</p>
      ) : folders.length === 0 ? (
        <p className="empty">
          No hot folders yet. Add a folder, and every shoot dropped into it (one subfolder per shoot) is taken in by
          itself.
        </p>
      ) : (
        <ul className="shoot-list" aria-label="Hot folders">
          {folders.map((folder) => (
            <li key={folder.id} className="shoot-row">
              <span>
                <span className="shoot-name">{folder.name}</span> <span className="muted">{folder.path}</span>
              </span>
              <button type="button" className="link-button" onClick={() => void remove(folder.id)}>
                Stop watching
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
