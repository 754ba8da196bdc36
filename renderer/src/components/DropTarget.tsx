import { DismissibleBanner } from './DismissibleBanner';
import { useState } from 'react';
import { useApp, useDesktop } from '../store/context';

/**
 * Folders dropped anywhere on the window become hot folders (their subfolders are shoots). The
 * desktop app reads their paths; a browser tab cannot, so it says where photos go instead.
 */
export function DropTarget({ children }: { children: React.ReactNode }): React.JSX.Element {
  const desktop = useDesktop();
  const addHotFolder = useApp((state) => state.addHotFolder);
  const setSection = useApp((state) => state.setSection);
  const [message, setMessage] = useState<string | null>(null);
  const [over, setOver] = useState(false);

  const onDrop = async (event: React.DragEvent): Promise<void> => {
    event.preventDefault();
    setOver(false);
    if (!desktop) {
      setMessage(
        'A browser cannot hand Shootline a folder. Copy the photos into a subfolder of a hot folder, or add the folder under Hot folders.',
      );
      return;
    }
    const items = [...event.dataTransfer.items];
    const folders: string[] = [];
    let files = 0;
    for (const item of items) {
      const entry = item.webkitGetAsEntry();
      const file = item.getAsFile();
      const path = file ? desktop.pathForFile(file) : '';
      if (entry?.isDirectory && path) folders.push(path);
      else files += 1;
    }
    for (const folder of folders) await addHotFolder(folder);
    if (folders.length > 0) setSection('hot-folders');
    setMessage(
      folders.length > 0
        ? `Watching ${folders.length} dropped folder${folders.length > 1 ? 's' : ''}; their photos are being taken in.`
        : files > 0
          ? 'Drop a folder (a shoot, or a folder of shoots) to watch it. Single photos go into a subfolder of a hot folder.'
          : null,
    );
  };

  return (
    <div
      className={`drop-target${over ? ' drop-over' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => void onDrop(event)}
    >
      {message ? (
        <DismissibleBanner kind="notice" onDismiss={() => setMessage(null)}>
          {message}
        </DismissibleBanner>
      ) : null}
      {children}
    </div>
  );
}
