import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { AppError } from '../../../../shared/errors';
import type { Asset } from '../../../../shared/domain';
import type { Mask, MaskPurpose, MaskStroke } from '../../../../shared/mask';
import { photoMedia, useApp, useClient, useMediaUrl } from '../../store/context';
import { overlayRgb, useBrushSettings } from './brush-settings';
import { addStroke, beyondLimits, blankContent, startHistory, type MaskHistory } from './mask-history';
import { MaskPainter } from './mask-painter';
import { actualPixelsView, fitView, resizeView, sameView, type MaskView } from './mask-view';
import { paintOverlay } from './overlay';
import { decodeMissingLayers } from './raster-layers';
import { attachStage, type AttachedStage, type StageState } from './stage-input';
import { MaskLibrary } from './MaskLibrary';
import { MaskToolbar } from './MaskToolbar';
import { PURPOSE_WORDS } from './purpose-words';
import { useMaskKeys } from './use-mask-keys';
import { useSelections } from './use-selections';
import './mask.css';

/**
 * Paints a named mask on one photo: strokes kept as vectors in the upright photo's pixels, drawn on
 * a proxy the size of the preview with the renderer the engine uses. Saving makes a new version,
 * which moves on the jobs that waited for a mask of this purpose on this photo.
 */
export function MaskEditor({
  asset,
  purpose,
  maskId,
  onClose,
}: {
  asset: Asset;
  purpose: MaskPurpose;
  /** A mask of the photo to open; null: its latest of the purpose (or a new one). */
  maskId: string | null;
  onClose: () => void;
}): React.JSX.Element {
  const client = useClient();
  const mediaUrl = useMediaUrl();
  const [brush, setBrush] = useBrushSettings();
  const [mask, setMask] = useState<Mask | null>(null);
  const [history, setHistory] = useState<MaskHistory | null>(null);
  const [saved, setSaved] = useState<MaskHistory['present'] | null>(null);
  const [painter, setPainter] = useState<MaskPainter | null>(null);
  const [view, setView] = useState<MaskView | null>(null);
  const [peek, setPeek] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmClose, setConfirmClose] = useState(false);
  const [saves, setSaves] = useState(0);
  const paintMask = useApp((state) => state.paintMask);
  const stageRef = useRef<HTMLDivElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const cursorRef = useRef<HTMLCanvasElement>(null);
  const imageData = useRef<ImageData | null>(null);
  const painted = useRef<MaskHistory['present'] | null>(null);
  const stageSize = useRef<{ width: number; height: number } | null>(null);
  const spaceHeld = useRef(false);
  const frame = useRef<number | null>(null);

  const photoWidth = asset.width ?? 0;
  const assetTurn = asset.turn;
  const photoHeight = asset.height ?? 0;

  // The photo's mask of this purpose (or a blank one), and the preview it is painted over.
  useEffect(() => {
    let current = true;
    const load = async (): Promise<void> => {
      const request = maskId ? { id: maskId } : { assetId: asset.id, purpose };
      const existing = await client.call('masks.get', request).catch((caught: unknown) => {
        if (caught instanceof AppError && caught.code === 'not_found') return null;
        throw caught;
      });
      const image = new Image();
      image.src = photoMedia(mediaUrl, 'preview', { id: asset.id, turn: assetTurn });
      await image.decode();
      if (!current) return;
      const content = existing?.content ?? blankContent(photoWidth, photoHeight);
      const made = new MaskPainter(photoWidth, photoHeight, image.naturalWidth, image.naturalHeight);
      await decodeMissingLayers(
        content.rasters,
        (png) => made.hasLayer(png),
        (png, levels) => made.addLayer(png, levels),
        image.naturalWidth,
        image.naturalHeight,
      );
      if (!current) return;
      setMask(existing);
      setHistory(startHistory(content));
      setSaved(content);
      setPainter(made);
    };
    if (photoWidth > 0 && photoHeight > 0) {
      load().catch((caught: unknown) => current && setError(caught instanceof Error ? caught.message : String(caught)));
    }
    return () => {
      current = false;
    };
  }, [asset.id, assetTurn, client, maskId, mediaUrl, photoHeight, photoWidth, purpose]);

  // Read when a frame is drawn, so a colour picked twice in one frame is drawn in the last one.
  const overlayColour = useRef(brush.overlayColour);
  const repaint = useCallback(() => {
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      const canvas = overlayRef.current;
      const context = canvas?.getContext('2d');
      if (!painter || !canvas || !context) return;
      if (!imageData.current || imageData.current.width !== painter.width) {
        imageData.current = context.createImageData(painter.width, painter.height);
      }
      const box = painter.takeDirty();
      if (!box) return;
      paintOverlay(painter, imageData.current, box, overlayRgb(overlayColour.current), 1);
      context.putImageData(imageData.current, 0, 0, box.left, box.top, box.width, box.height);
    });
  }, [painter]);

  // A drawing that is not what the painter shows (opened, undone, filled…) is rendered whole.
  const present = history?.present ?? null;
  useEffect(() => {
    if (!painter || !present || painted.current === present) return;
    try {
      painter.renderAll(present);
      painted.current = present;
      repaint();
    } catch (caught) {
      // Said after this effect (a drawing within the limits always renders; this is the fence).
      queueMicrotask(() => setError(caught instanceof Error ? caught.message : String(caught)));
    }
  }, [painter, present, repaint]);

  // A new overlay colour repaints the overlay (the drawing itself is unchanged).
  useEffect(() => {
    overlayColour.current = brush.overlayColour;
    if (!painter) return;
    painter.markAllDirty();
    repaint();
  }, [brush.overlayColour, painter, repaint]);

  // What pointer handling reads at each event: kept current after every render.
  const live = useRef<StageState>({
    view: { scale: 1, offsetX: 0, offsetY: 0 },
    brush,
    painter,
    inverted: false,
    spaceHeld: false,
  });
  const inverted = present?.invert ?? false;
  useLayoutEffect(() => {
    live.current = { view: view ?? live.current.view, brush, painter, inverted, spaceHeld: false };
  }, [brush, inverted, painter, view]);

  const strokeDone = useCallback((stroke: MaskStroke) => {
    setHistory((current) => {
      if (!current) return current;
      const refusal = beyondLimits(current.present, stroke);
      if (refusal) {
        // The painter shows the stroke: render the drawing without it again.
        painted.current = null;
        setError(refusal);
        return { ...current };
      }
      const next = addStroke(current, stroke);
      // Its pixels are already in the painter: nothing to render again.
      painted.current = next.present;
      return next;
    });
  }, []);

  const attached = useRef<AttachedStage | null>(null);

  useEffect(() => {
    const stage = stageRef.current;
    const cursor = cursorRef.current;
    if (!stage || !cursor || !painter) return;
    const stageInput = attachStage(stage, cursor, {
      state: () => ({ ...live.current, spaceHeld: spaceHeld.current }),
      setView: (update) => setView((current) => (current ? update(current) : current)),
      strokeDone,
      setBrush,
      repaint,
      boxDrawn: (box) => void selectionsRef.current.refine(box),
      picked: (point) =>
        void selectionsRef.current.pickColour(
          point,
          live.current.brush.colourTolerance,
          live.current.brush.colourContiguous,
        ),
    });
    attached.current = stageInput;
    return () => {
      stageInput.detach();
      attached.current = null;
    };
  }, [painter, repaint, setBrush, strokeDone]);

  // Fit the photo when the editor opens; on a window resize keep the same photo point in the middle.
  useEffect(() => {
    const stage = stageRef.current;
    if (!stage || !painter) return;
    const observer = new ResizeObserver(() => {
      const size = { width: stage.clientWidth, height: stage.clientHeight };
      const before = stageSize.current;
      stageSize.current = size;
      // A photo shown whole is fitted again; one the user zoomed into keeps its zoom and centre.
      setView((current) =>
        current && before && !sameView(current, fitView(before.width, before.height, photoWidth, photoHeight))
          ? resizeView(current, before, size)
          : fitView(size.width, size.height, photoWidth, photoHeight),
      );
    });
    observer.observe(stage);
    return () => observer.disconnect();
  }, [painter, photoHeight, photoWidth]);

  const unsaved = present !== null && present !== saved;
  const setMaskUnsaved = useApp((state) => state.setMaskUnsaved);
  useEffect(() => {
    setMaskUnsaved(unsaved);
    return () => setMaskUnsaved(false);
  }, [setMaskUnsaved, unsaved]);
  // Closing the window or reloading the page with unsaved strokes asks the browser's question.
  useEffect(() => {
    if (!unsaved) return;
    const onLeave = (event: BeforeUnloadEvent): void => event.preventDefault();
    window.addEventListener('beforeunload', onLeave);
    return () => window.removeEventListener('beforeunload', onLeave);
  }, [unsaved]);

  /** Saves the drawing as a new version; false when it could not be saved (the editor stays open). */
  const save = useCallback(async (): Promise<boolean> => {
    if (!present) return false;
    setStatus('Saving…');
    try {
      const result = await client.call('masks.save', {
        assetId: asset.id,
        purpose,
        ...(mask ? { maskId: mask.id } : {}),
        content: present,
      });
      setMask(result);
      setSaved(present);
      setSaves((count) => count + 1);
      setStatus(`Saved as version ${result.version} of “${result.name}”.`);
      setError(null);
      return true;
    } catch (caught) {
      setStatus(null);
      setError(caught instanceof Error ? caught.message : String(caught));
      return false;
    }
  }, [asset.id, client, mask, present, purpose]);

  /** Esc or Close: with unsaved strokes, ask first; asked already, Esc means "keep painting". */
  const close = useCallback(
    (fromKey: boolean) => {
      if (confirmClose && fromKey) setConfirmClose(false);
      else if (unsaved && !confirmClose) setConfirmClose(true);
      else onClose();
    },
    [confirmClose, onClose, unsaved],
  );

  const zoomToggle = useCallback(() => {
    const size = stageSize.current;
    if (!size || !view) return;
    const fitted = fitView(size.width, size.height, photoWidth, photoHeight);
    const centre = {
      x: (size.width / 2 - view.offsetX) / view.scale,
      y: (size.height / 2 - view.offsetY) / view.scale,
    };
    const actual = actualPixelsView(window.devicePixelRatio || 1, centre, size.width, size.height);
    setView(Math.abs(view.scale - actual.scale) < 1e-6 ? fitted : actual);
  }, [photoHeight, photoWidth, view]);

  const edit = useCallback((change: (current: MaskHistory) => MaskHistory) => {
    // Not while a stroke is being painted: the painter is drawing over the drawing as it was.
    if (attached.current?.drawing()) return;
    setHistory((current) => (current ? change(current) : current));
  }, []);

  const selections = useSelections({
    client,
    assetId: asset.id,
    photo: { width: photoWidth, height: photoHeight },
    present,
    painter,
    idle: () => !attached.current?.drawing(),
    edit,
    say: (said, failed) => {
      setStatus(said);
      setError(failed);
    },
  });
  const selectionsRef = useRef(selections);
  useLayoutEffect(() => {
    selectionsRef.current = selections;
  });

  useMaskKeys({ brush, setBrush, setPeek, spaceHeld, edit, zoomToggle, save, close });

  if (photoWidth === 0 || photoHeight === 0) {
    return (
      <p className="error">This photo has not been read yet: its size is unknown, so a mask cannot be painted on it.</p>
    );
  }

  const transform =
    view && painter
      ? `translate(${view.offsetX}px, ${view.offsetY}px) scale(${(view.scale * photoWidth) / painter.width}, ${(view.scale * photoHeight) / painter.height})`
      : 'none';
  const overlayVisible = brush.overlayShown && !peek;

  return (
    <section className="mask-editor" aria-label={`${PURPOSE_WORDS[purpose]} mask`}>
      <MaskToolbar
        brush={brush}
        setBrush={setBrush}
        canUndo={(history?.past.length ?? 0) > 0}
        canRedo={(history?.future.length ?? 0) > 0}
        onEdit={edit}
        onFit={() =>
          stageSize.current &&
          setView(fitView(stageSize.current.width, stageSize.current.height, photoWidth, photoHeight))
        }
        onZoom={zoomToggle}
        onSave={() => void save()}
        onRefine={() => void selections.refine()}
        refining={selections.busy}
        onClose={() => close(false)}
        unsaved={unsaved}
        title={`${PURPOSE_WORDS[purpose]} mask${mask ? ` “${mask.name}”, version ${mask.version}` : ' (new)'}`}
      />
      {confirmClose ? (
        <div className="mask-confirm" role="alertdialog" aria-label="Unsaved strokes">
          <span>This mask has strokes that are not saved.</span>
          <button type="button" onClick={() => void save().then((saved) => saved && onClose())}>
            Save and close
          </button>
          <button type="button" onClick={onClose}>
            Discard them
          </button>
          <button type="button" onClick={() => setConfirmClose(false)}>
            Keep painting
          </button>
        </div>
      ) : null}
      <MaskLibrary
        asset={asset}
        purpose={purpose}
        openMaskId={mask?.id ?? null}
        revision={saves}
        onOpen={(chosen) => paintMask(asset.id, chosen.purpose, undefined, chosen.id)}
      />
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {status ? (
        <p className="muted mask-status" role="status">
          {status}
        </p>
      ) : null}
      <div
        ref={stageRef}
        className={`mask-stage tool-${brush.tool}`}
        data-testid="mask-stage"
        data-ready={painter && view ? 'true' : 'false'}
      >
        {painter ? (
          <>
            <img
              className="mask-photo"
              src={photoMedia(mediaUrl, 'preview', asset)}
              alt=""
              draggable={false}
              style={{ width: painter.width, height: painter.height, transform }}
            />
            <canvas
              ref={overlayRef}
              className="mask-overlay"
              data-testid="mask-overlay"
              width={painter.width}
              height={painter.height}
              style={{ transform, opacity: overlayVisible ? brush.overlayOpacity : 0 }}
            />
          </>
        ) : (
          <p className="muted">Opening the mask…</p>
        )}
        <canvas ref={cursorRef} className="mask-cursor" aria-hidden="true" />
      </div>
    </section>
  );
}
