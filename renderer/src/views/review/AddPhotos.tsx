import { useRef, useState } from 'react';
import { UPLOAD_CHUNK_BYTES } from '../../../../shared/api-shoots';
import { AppError } from '../../../../shared/errors';
import { useApp, useClient } from '../../store/context';

/** What a photographer adds: pictures and camera RAW files, by type or by name (browsers type few RAWs). */
const PHOTO_NAME = /\.(jpe?g|png|webp|avif|tiff?|heic|heif|dng|cr2|cr3|nef|nrw|arw|orf|rw2|raf|pef|srw)$/i;

/** Hidden files ("._IMG_1.JPG", the resource forks a Mac leaves on a card) are never photos. */
function isPhoto(file: File): boolean {
  if (file.name.startsWith('.')) return false;
  return file.type.startsWith('image/') || PHOTO_NAME.test(file.name);
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let at = 0; at < bytes.length; at += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  }
  return btoa(binary);
}

/**
 * "Add photos…" and "Add a folder…" for a shoot that has a folder: each file goes to the engine in
 * pieces and lands in the shoot's folder, where ingest takes it like any photo copied there. Works
 * the same in a browser and in the desktop app (no paths needed).
 */
export function AddPhotos({ shootId }: { shootId: string }): React.JSX.Element {
  const client = useClient();
  const say = useApp((state) => state.say);
  const files = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<string | null>(null);

  const add = async (list: FileList | null): Promise<void> => {
    const chosen = [...(list ?? [])];
    const photos = chosen.filter(isPhoto);
    const skipped = chosen.length - photos.length;
    let added = 0;
    const failed: string[] = [];
    // One file that cannot be sent is said and skipped; the others still go.
    for (const [index, file] of photos.entries()) {
      setProgress(`Adding ${index + 1} of ${photos.length}: ${file.name}`);
      try {
        await send(file);
        added += 1;
      } catch (error) {
        failed.push(`${file.name}: ${error instanceof AppError ? error.message : 'it could not be sent.'}`);
      }
    }
    setProgress(null);
    if (files.current) files.current.value = '';
    if (folder.current) folder.current.value = '';
    say(
      `Added ${added} photo${added === 1 ? '' : 's'}; they appear as they are read.` +
        (skipped > 0 ? ` ${skipped} file${skipped === 1 ? ' was' : 's were'} not a photo and left out.` : '') +
        (failed.length > 0 ? ` Not added: ${failed.join(' ')}` : ''),
    );
  };

  /** One file, in pieces; the last piece gives it its name in the shoot's folder. */
  const send = async (file: File): Promise<void> => {
    const upload = crypto.randomUUID();
    for (let offset = 0; ; offset += UPLOAD_CHUNK_BYTES) {
      const piece = new Uint8Array(await file.slice(offset, offset + UPLOAD_CHUNK_BYTES).arrayBuffer());
      const done = offset + UPLOAD_CHUNK_BYTES >= file.size;
      await client.call('shoots.addFile', { id: shootId, upload, name: file.name, offset, data: base64(piece), done });
      if (done) return;
    }
  };

  return (
    <>
      <button type="button" disabled={progress !== null} onClick={() => files.current?.click()}>
        Add photos…
      </button>
      <button type="button" disabled={progress !== null} onClick={() => folder.current?.click()}>
        Add a folder…
      </button>
      <input
        ref={files}
        type="file"
        multiple
        hidden
        aria-label="Photos to add"
        accept="image/*,.dng,.cr2,.cr3,.nef,.nrw,.arw,.orf,.rw2,.raf,.pef,.srw,.heic,.heif"
        onChange={(event) => void add(event.target.files)}
      />
      <input
        ref={folder}
        type="file"
        hidden
        aria-label="Folder to add"
        {...{ webkitdirectory: '' }}
        onChange={(event) => void add(event.target.files)}
      />
      {progress ? (
        <span className="muted" role="status" data-testid="add-progress">
          {progress}
        </span>
      ) : null}
    </>
  );
}
