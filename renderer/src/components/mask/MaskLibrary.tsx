import { useCallback, useEffect, useState } from 'react';
import type { Asset } from '../../../../shared/domain';
import type { Mask, MaskPurpose } from '../../../../shared/mask';
import { useApp, useClient } from '../../store/context';
import { leaveMaskEditor } from '../../store/review-slice';

/** Photos of "the same framing" may differ in aspect by this much (as the engine checks). */
const SAME_ASPECT = 0.01;

const message = (caught: unknown): string => (caught instanceof Error ? caught.message : String(caught));

/**
 * The photo's masks: open one, rename, duplicate, delete, export as a PNG (white = selected) or
 * import one, and apply the open mask to other photos of the shoot with the same framing.
 */
export function MaskLibrary(props: {
  asset: Asset;
  purpose: MaskPurpose;
  openMaskId: string | null;
  /** Saved versions changed (a save in the editor): read the list again. */
  revision: number;
  onOpen: (mask: Mask) => void;
}): React.JSX.Element {
  const { asset, purpose, openMaskId, revision, onOpen } = props;
  const client = useClient();
  const shootAssets = useApp((state) => state.assets);
  const maskEditor = useApp((state) => state.maskEditor);
  const maskUnsaved = useApp((state) => state.maskUnsaved);
  const setMaskUnsaved = useApp((state) => state.setMaskUnsaved);
  const [masks, setMasks] = useState<Mask[]>([]);
  const [status, setStatus] = useState<string | null>(null);
  const [applying, setApplying] = useState<Set<string> | null>(null);
  const [reload, setReload] = useState(0);
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);

  useEffect(() => {
    let current = true;
    client
      .call('masks.list', { assetId: asset.id })
      .then((list) => current && setMasks(list))
      .catch((caught: unknown) => current && setStatus(message(caught)));
    return () => {
      current = false;
    };
  }, [asset.id, client, revision, reload]);

  const act = useCallback(async (work: () => Promise<string | null>) => {
    try {
      setStatus(await work());
      setReload((count) => count + 1);
    } catch (caught) {
      setStatus(message(caught));
    }
  }, []);

  const exportPng = async (mask: Mask): Promise<string> => {
    const { png } = await client.call('masks.export', { id: mask.id });
    // Through a Blob: a large data: URL can fail to download without a word.
    const bytes = Uint8Array.from(atob(png), (char) => char.charCodeAt(0));
    const url = URL.createObjectURL(new Blob([bytes], { type: 'image/png' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${(asset.relativePath.split('/').pop() ?? 'photo').replace(/\.[^.]+$/, '')} - ${mask.name}.png`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    return `Exported “${mask.name}” as a PNG (white is selected).`;
  };

  const importPng = async (file: File): Promise<string> => {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let text = '';
    for (let at = 0; at < bytes.length; at += 8192) text += String.fromCharCode(...bytes.subarray(at, at + 8192));
    // Into the mask open in the editor (or, with none open, the photo's latest of this purpose).
    const mask = await client.call('masks.import', {
      assetId: asset.id,
      purpose,
      ...(openMaskId ? { maskId: openMaskId } : {}),
      png: btoa(text),
    });
    onOpen(mask);
    return `Imported ${file.name} as version ${mask.version} of “${mask.name}”.`;
  };

  const aspect = (width: number | null, height: number | null) => (width && height ? width / height : null);
  const ownAspect = aspect(asset.width, asset.height);
  const sameFraming = (other: Asset): boolean => {
    const theirs = aspect(other.width, other.height);
    return ownAspect !== null && theirs !== null && Math.abs(theirs - ownAspect) / ownAspect <= SAME_ASPECT;
  };
  const others = shootAssets.filter((other) => other.id !== asset.id && other.shootId === asset.shootId);

  return (
    <details className="mask-library">
      <summary>Masks of this photo ({masks.length})</summary>
      <ul aria-label="Masks of this photo">
        {masks.map((mask) => (
          <li key={mask.id} className={mask.id === openMaskId ? 'open' : undefined}>
            {renaming?.id === mask.id ? (
              <form
                onSubmit={(event) => {
                  event.preventDefault();
                  const name = renaming.name.trim();
                  setRenaming(null);
                  if (name && name !== mask.name)
                    void act(
                      async () => `Renamed to “${(await client.call('masks.rename', { id: mask.id, name })).name}”.`,
                    );
                }}
              >
                <input
                  aria-label="New name"
                  value={renaming.name}
                  maxLength={100}
                  onChange={(event) => setRenaming({ id: mask.id, name: event.target.value })}
                />
                <button type="submit">OK</button>
                <button type="button" onClick={() => setRenaming(null)}>
                  Cancel
                </button>
              </form>
            ) : (
              <span>
                {mask.name} · {mask.purpose} · version {mask.version}
              </span>
            )}
            <button type="button" disabled={mask.id === openMaskId} onClick={() => onOpen(mask)}>
              Open
            </button>
            <button type="button" onClick={() => setRenaming({ id: mask.id, name: mask.name })}>
              Rename
            </button>
            <button
              type="button"
              onClick={() =>
                void act(async () => `Duplicated as “${(await client.call('masks.duplicate', { id: mask.id })).name}”.`)
              }
            >
              Duplicate
            </button>
            <button type="button" onClick={() => void act(() => exportPng(mask))}>
              Export PNG
            </button>
            <button
              type="button"
              disabled={mask.id === openMaskId}
              onClick={() =>
                void act(async () => {
                  await client.call('masks.delete', { id: mask.id });
                  return `Deleted “${mask.name}” (a job that holds one of its versions still gets it).`;
                })
              }
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
      <label className="mask-import">
        Import a PNG as this photo’s {purpose} mask{' '}
        <input
          type="file"
          accept="image/png"
          aria-label="Import a mask PNG"
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            // The import replaces what the editor shows: unsaved strokes are asked about first.
            if (file && leaveMaskEditor({ maskEditor, maskUnsaved })) {
              setMaskUnsaved(false);
              void act(() => importPng(file));
            }
          }}
        />
      </label>
      {openMaskId ? (
        applying ? (
          <fieldset className="mask-apply">
            <legend>Apply the open mask to photos of the same framing</legend>
            {others.map((other) => (
              <label key={other.id} title={sameFraming(other) ? undefined : 'Its aspect differs by more than 1%.'}>
                <input
                  type="checkbox"
                  disabled={!sameFraming(other)}
                  checked={applying.has(other.id)}
                  onChange={(event) => {
                    const next = new Set(applying);
                    if (event.target.checked) next.add(other.id);
                    else next.delete(other.id);
                    setApplying(next);
                  }}
                />{' '}
                {other.relativePath.split('/').pop()}
              </label>
            ))}
            <button
              type="button"
              className="primary"
              disabled={applying.size === 0}
              onClick={() =>
                void act(async () => {
                  const result = await client.call('masks.apply', { id: openMaskId, assetIds: [...applying] });
                  setApplying(null);
                  const refused = result.refused.map((one) => one.reason).join(' ');
                  return `Applied to ${result.applied.length} photo${result.applied.length === 1 ? '' : 's'}.${refused ? ` Refused: ${refused}` : ''}`;
                })
              }
            >
              Apply to {applying.size} photo{applying.size === 1 ? '' : 's'}
            </button>
            <button type="button" onClick={() => setApplying(null)}>
              Cancel
            </button>
          </fieldset>
        ) : (
          <button
            type="button"
            onClick={() => setApplying(new Set(others.filter(sameFraming).map((other) => other.id)))}
          >
            Apply to other photos…
          </button>
        )
      ) : null}
      {status ? (
        <p className="muted" aria-live="polite">
          {status}
        </p>
      ) : null}
    </details>
  );
}
