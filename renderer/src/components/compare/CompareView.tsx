import { useCallback, useEffect, useEffectEvent, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { isKeyOf, matchCommand } from '../../commands';
import {
  type CompareMode,
  COMPARE_MODES,
  clampView,
  describeSizes,
  dividerAfterKey,
  dividerFromPointer,
  FIT_VIEW,
  formatZoomPercent,
  imageScreenRect,
  isFitView,
  loupeBackground,
  loupeSourceRect,
  magnification,
  needsFullResolution,
  nextCompareMode,
  panBy,
  percentForView,
  type Point,
  resizeView,
  type Size,
  toggleFitAnd100,
  type View,
  wheelZoomFactor,
  zoomAbout,
  zoomToPercent,
} from './viewport';
import './compare.css';

export type { CompareMode } from './viewport';

export interface CompareImage {
  /** Long edge at most 2048 px; shown while that is sharp enough. */
  previewUrl: string;
  fullUrl: string;
  /** Full-resolution size in pixels, orientation applied. */
  width: number;
  height: number;
  label: string;
}

export interface CompareViewProps {
  /** The source photo. */
  before: CompareImage;
  /** A variant; it may have another size or aspect ratio. */
  after: CompareImage;
  mode: CompareMode;
  onModeChange: (mode: CompareMode) => void;
  /** Toggle mode only: which image is shown (controlled). Defaults to the after image. */
  showingBefore?: boolean;
  /** Called for `\`; the parent flips `showingBefore`. */
  onToggle: () => void;
}

type Side = 'before' | 'after';

const MODE_LABELS: Record<CompareMode, string> = {
  slider: 'Slider',
  'side-by-side': 'Side by side',
  toggle: 'Toggle',
};

const SIDE_LABELS: Record<Side, string> = { before: 'Before', after: 'After' };

/** The loupe's diameter in CSS pixels (keep in step with --compare-loupe-size in compare.css). */
const LOUPE_DIAMETER = 200;

/** Above this many device pixels per image pixel, show pixels as squares rather than blur them. */
const PIXELATED_FROM = 3;

/** Full images kept decoded for instant swaps; older ones fall back to their previews. */
const MAX_FULL_IMAGES = 6;

const NO_BOX: Size = { width: 0, height: 0 };

interface PointerSpot {
  /** Which pane the pointer is over (side-by-side has two). */
  pane: number;
  /** Position in that pane's box. */
  x: number;
  y: number;
  /** Position in the stage, where the loupe lives. */
  stageX: number;
  stageY: number;
}

interface Drag {
  kind: 'pan' | 'divider';
  pointerId: number;
  lastX: number;
  lastY: number;
  /** For the divider: the pane's left edge and width when the drag began. */
  left: number;
  width: number;
}

function isTypingTarget(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLElement && target.isContentEditable)
  );
}

function cssUrl(url: string): string {
  return `url(${JSON.stringify(url)})`;
}

function pixelRatio(): number {
  return window.devicePixelRatio > 0 ? window.devicePixelRatio : 1;
}

/**
 * Before/after compare for review: a slider, two synchronised panes, or one image toggled with `\`.
 * Zoom, pan, the divider and the loupe follow the pointer through refs, once per animation frame;
 * React state changes only for what the toolbar shows.
 */
export function CompareView(props: CompareViewProps): React.JSX.Element {
  const { before, after, mode, onModeChange, showingBefore = false, onToggle } = props;

  const [zoom, setZoom] = useState({ percent: 0, fitted: true });
  const [divider, setDivider] = useState(50);
  const [loupeLatched, setLoupeLatched] = useState(false);
  const [loupeHeld, setLoupeHeld] = useState(false);
  const [fullReady, setFullReady] = useState<readonly string[]>([]);
  const loupeOn = loupeLatched || loupeHeld;

  const view = useRef<View>(FIT_VIEW);
  const box = useRef<Size>(NO_BOX);
  const dividerAt = useRef(50);
  const spot = useRef<PointerSpot | null>(null);
  const drag = useRef<Drag | null>(null);
  const frame = useRef(0);
  const shownZoom = useRef({ percent: 0, fitted: true });
  const fullRequested = useRef(new Set<string>());
  const mounted = useRef(false);

  const stageEl = useRef<HTMLDivElement | null>(null);
  const paneEls = useRef<(HTMLDivElement | null)[]>([null, null]);
  const imageEls = useRef<Record<Side, HTMLImageElement | null>>({ before: null, after: null });
  const handleEl = useRef<HTMLDivElement | null>(null);
  const loupeEl = useRef<HTMLDivElement | null>(null);
  const latest = useRef({ before, after, mode, showingBefore, loupeOn });

  /** Decode a full image off-screen; the preview stays until it is ready, so nothing flashes. */
  const requestFull = useCallback((url: string): void => {
    if (fullRequested.current.has(url)) return;
    fullRequested.current.add(url);
    const loader = new Image();
    loader.decoding = 'async';
    loader.src = url;
    loader.decode().then(
      () => {
        if (!mounted.current) return;
        setFullReady((ready) => (ready.includes(url) ? ready : [...ready, url].slice(-MAX_FULL_IMAGES)));
      },
      () => {
        // Unreadable: keep the preview, and allow a later attempt.
        fullRequested.current.delete(url);
      },
    );
  }, []);

  /** Which image the pointer is over, for the loupe. */
  const sideUnder = useCallback((at: PointerSpot): Side => {
    const { mode: currentMode, showingBefore: showBefore } = latest.current;
    switch (currentMode) {
      case 'side-by-side':
        return at.pane === 0 ? 'before' : 'after';
      case 'slider':
        return at.x < (dividerAt.current / 100) * box.current.width ? 'before' : 'after';
      case 'toggle':
        return showBefore ? 'before' : 'after';
      default: {
        const unreachable: never = currentMode;
        return unreachable;
      }
    }
  }, []);

  /** Write the current view, divider and loupe to the DOM. Runs at most once per frame. */
  const apply = useCallback((): void => {
    const { before: beforeImage, after: afterImage, mode: currentMode, loupeOn: loupeVisible } = latest.current;
    const images = [beforeImage, afterImage];
    const size = box.current;
    const ratio = pixelRatio();
    const current = clampView(view.current, size, images, ratio);
    view.current = current;

    for (const side of ['before', 'after'] as const) {
      const image = side === 'before' ? beforeImage : afterImage;
      if (needsFullResolution(image, current, size, ratio)) requestFull(image.fullUrl);
      const element = imageEls.current[side];
      if (!element) continue;
      const rect = imageScreenRect(image, current, size);
      element.style.width = `${rect.width}px`;
      element.style.height = `${rect.height}px`;
      element.style.transform = `translate3d(${rect.x}px, ${rect.y}px, 0)`;
      element.dataset.pixelated = String(magnification(image, current, size, ratio) >= PIXELATED_FROM);
    }

    const pane = paneEls.current[0];
    const handle = handleEl.current;
    if (currentMode === 'slider' && pane && handle) {
      const at = dividerAt.current;
      pane.style.setProperty('--compare-divider', `${at}%`);
      handle.style.transform = `translate3d(${(at / 100) * size.width}px, 0, 0)`;
      handle.setAttribute('aria-valuenow', String(Math.round(at)));
    }

    const loupe = loupeEl.current;
    if (loupe) {
      const at = spot.current;
      if (loupeVisible && at && size.width > 0) {
        const side = sideUnder(at);
        const image = side === 'before' ? beforeImage : afterImage;
        const source = loupeSourceRect(at, image, current, size, LOUPE_DIAMETER, ratio);
        const background = loupeBackground(source, image, ratio);
        const sizeCss = `${background.width}px ${background.height}px`;
        const positionCss = `${background.x}px ${background.y}px`;
        // The preview, drawn at the same size, covers the wait for the full image.
        const imagesCss = `${cssUrl(image.fullUrl)}, ${cssUrl(image.previewUrl)}`;
        if (loupe.style.backgroundImage !== imagesCss) loupe.style.backgroundImage = imagesCss;
        loupe.style.backgroundSize = `${sizeCss}, ${sizeCss}`;
        loupe.style.backgroundPosition = `${positionCss}, ${positionCss}`;
        loupe.style.transform = `translate3d(${at.stageX}px, ${at.stageY}px, 0)`;
        loupe.dataset.side = side;
        loupe.hidden = false;
      } else {
        loupe.hidden = true;
      }
    }

    if (size.width > 0) {
      const next = { percent: percentForView(current, size, images, ratio), fitted: isFitView(current) };
      const shown = shownZoom.current;
      if (Math.abs(next.percent - shown.percent) > 0.05 || next.fitted !== shown.fitted) {
        shownZoom.current = next;
        setZoom(next);
      }
    }
  }, [requestFull, sideUnder]);

  const schedule = useCallback((): void => {
    if (frame.current !== 0) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      apply();
    });
  }, [apply]);

  /** Replace the shared view; every pane follows on the next frame. */
  const updateView = useCallback(
    (change: (current: View, size: Size, images: readonly Size[], ratio: number) => View): void => {
      const { before: beforeImage, after: afterImage } = latest.current;
      view.current = change(view.current, box.current, [beforeImage, afterImage], pixelRatio());
      schedule();
    },
    [schedule],
  );

  const setBox = useCallback((next: Size): void => {
    const previous = box.current;
    if (previous.width === next.width && previous.height === next.height) return;
    const { before: beforeImage, after: afterImage } = latest.current;
    view.current = resizeView(view.current, previous, next, [beforeImage, afterImage], pixelRatio());
    box.current = next;
  }, []);

  const onWheel = useCallback(
    (event: WheelEvent): void => {
      const pane = event.currentTarget;
      if (!(pane instanceof HTMLElement)) return;
      event.preventDefault();
      const bounds = pane.getBoundingClientRect();
      const anchor = { x: event.clientX - bounds.left, y: event.clientY - bounds.top };
      const factor = wheelZoomFactor(event.deltaY, event.deltaMode);
      updateView((current, size, images, ratio) =>
        zoomAbout(current, current.scale * factor, anchor, size, images, ratio),
      );
    },
    [updateView],
  );

  /** Hook a pane up to wheel zoom, and (the first pane) to measuring: every pane has the same size. */
  const attachPane = useCallback(
    (index: number, element: HTMLDivElement | null): (() => void) | undefined => {
      paneEls.current[index] = element;
      if (!element) return undefined;
      element.addEventListener('wheel', onWheel, { passive: false });
      let observer: ResizeObserver | null = null;
      if (index === 0) {
        // Measure now so the first frame of a new layout is already right; the observer follows resizes.
        setBox({ width: element.clientWidth, height: element.clientHeight });
        observer = new ResizeObserver(() => {
          setBox({ width: element.clientWidth, height: element.clientHeight });
          apply();
        });
        observer.observe(element);
      }
      return () => {
        element.removeEventListener('wheel', onWheel);
        observer?.disconnect();
        if (paneEls.current[index] === element) paneEls.current[index] = null;
      };
    },
    [onWheel, setBox, apply],
  );
  const firstPaneRef = useCallback((element: HTMLDivElement | null) => attachPane(0, element), [attachPane]);
  const secondPaneRef = useCallback((element: HTMLDivElement | null) => attachPane(1, element), [attachPane]);

  const imageRefs = useMemo(
    () => ({
      before: (element: HTMLImageElement | null) => {
        imageEls.current.before = element;
      },
      after: (element: HTMLImageElement | null) => {
        imageEls.current.after = element;
      },
    }),
    [],
  );

  // A new source photo starts at fit; a new variant of the same photo keeps the zoom and position.
  // Declared before the effect below so the first frame of a new photo is already drawn at fit.
  useLayoutEffect(() => {
    view.current = FIT_VIEW;
  }, [before.fullUrl]);

  // Keep what the frame callback reads current, and draw every render's new elements before paint.
  useLayoutEffect(() => {
    latest.current = { before, after, mode, showingBefore, loupeOn };
    apply();
  });

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, []);

  const anchorForKeys = (): Point | null => {
    const at = spot.current;
    return at ? { x: at.x, y: at.y } : null;
  };

  const fit = (): void => updateView(() => FIT_VIEW);
  const actualPixels = (): void =>
    updateView((current, size, images, ratio) =>
      zoomToPercent(current, 100, { x: size.width / 2, y: size.height / 2 }, size, images, ratio),
    );

  const onWindowKeyDown = useEffectEvent((event: KeyboardEvent): void => {
    if (event.defaultPrevented) return;
    if (isTypingTarget(event.target)) return;
    const command = matchCommand('compare', event)?.id;
    if (command === 'compare.loupe') {
      event.preventDefault();
      setLoupeHeld(true);
      return;
    }
    if (event.repeat) return;
    if (command === 'compare.mode') {
      event.preventDefault();
      onModeChange(nextCompareMode(mode));
    } else if (command === 'compare.beforeAfter') {
      event.preventDefault();
      onToggle();
    } else if (command === 'compare.zoom') {
      event.preventDefault();
      const anchor = anchorForKeys();
      updateView((current, size, images, ratio) => toggleFitAnd100(current, anchor, size, images, ratio));
    }
  });

  const onWindowKeyUp = useEffectEvent((event: KeyboardEvent): void => {
    // Released with or without a modifier: the loupe is let go either way.
    if (isKeyOf('compare.loupe', event.key)) setLoupeHeld(false);
  });

  useEffect(() => {
    const down = (event: KeyboardEvent): void => onWindowKeyDown(event);
    const up = (event: KeyboardEvent): void => onWindowKeyUp(event);
    // A key released while the window is in the background never reports its keyup.
    const release = (): void => setLoupeHeld(false);
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    window.addEventListener('blur', release);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
      window.removeEventListener('blur', release);
    };
  }, []);

  const trackPointer = (event: React.PointerEvent<HTMLDivElement>): void => {
    const pane = Number(event.currentTarget.dataset.pane ?? 0);
    const bounds = event.currentTarget.getBoundingClientRect();
    const stage = stageEl.current?.getBoundingClientRect();
    spot.current = {
      pane,
      x: event.clientX - bounds.left,
      y: event.clientY - bounds.top,
      stageX: event.clientX - (stage?.left ?? bounds.left),
      stageY: event.clientY - (stage?.top ?? bounds.top),
    };
  };

  const onPanePointerDown = (event: React.PointerEvent<HTMLDivElement>): void => {
    trackPointer(event);
    if (event.button !== 0 || drag.current) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    event.currentTarget.dataset.panning = 'true';
    drag.current = {
      kind: 'pan',
      pointerId: event.pointerId,
      lastX: event.clientX,
      lastY: event.clientY,
      left: 0,
      width: 0,
    };
  };

  const onPanePointerMove = (event: React.PointerEvent<HTMLDivElement>): void => {
    trackPointer(event);
    const current = drag.current;
    if (current?.kind === 'pan' && current.pointerId === event.pointerId) {
      const delta = { x: event.clientX - current.lastX, y: event.clientY - current.lastY };
      current.lastX = event.clientX;
      current.lastY = event.clientY;
      updateView((now, size, images, ratio) => panBy(now, delta, size, images, ratio));
    } else if (latest.current.loupeOn) {
      schedule();
    }
  };

  const endPan = (event: React.PointerEvent<HTMLDivElement>): void => {
    const current = drag.current;
    if (current?.kind !== 'pan' || current.pointerId !== event.pointerId) return;
    drag.current = null;
    delete event.currentTarget.dataset.panning;
    if (event.currentTarget.hasPointerCapture(event.pointerId)) {
      event.currentTarget.releasePointerCapture(event.pointerId);
    }
  };

  const onPanePointerLeave = (): void => {
    if (drag.current) return;
    spot.current = null;
    schedule();
  };

  const onPaneDoubleClick = (event: React.MouseEvent<HTMLDivElement>): void => {
    const bounds = event.currentTarget.getBoundingClientRect();
    const anchor = { x: event.clientX - bounds.left, y: event.clientY - bounds.top };
    updateView((current, size, images, ratio) => toggleFitAnd100(current, anchor, size, images, ratio));
  };

  const onDividerPointerDown = (event: React.PointerEvent<HTMLDivElement>): void => {
    if (event.button !== 0) return;
    // The pane under the handle would start a pan otherwise.
    event.stopPropagation();
    const pane = paneEls.current[0];
    if (!pane) return;
    const bounds = pane.getBoundingClientRect();
    event.currentTarget.setPointerCapture(event.pointerId);
    event.currentTarget.focus();
    drag.current = {
      kind: 'divider',
      pointerId: event.pointerId,
      lastX: event.clientX,
      lastY: event.clientY,
      left: bounds.left,
      width: bounds.width,
    };
  };

  const onDividerPointerMove = (event: React.PointerEvent<HTMLDivElement>): void => {
    const current = drag.current;
    if (current?.kind !== 'divider' || current.pointerId !== event.pointerId) return;
    event.stopPropagation();
    dividerAt.current = dividerFromPointer(event.clientX, current.left, current.width);
    schedule();
  };

  const onDividerPointerEnd = (event: React.PointerEvent<HTMLDivElement>): void => {
    const current = drag.current;
    if (current?.kind !== 'divider' || current.pointerId !== event.pointerId) return;
    event.stopPropagation();
    drag.current = null;
    if (event.currentTarget.hasPointerCapture(event.pointerId)) {
      event.currentTarget.releasePointerCapture(event.pointerId);
    }
    // One state update per drag, so aria-valuenow survives later renders.
    setDivider(dividerAt.current);
  };

  const onDividerKeyDown = (event: React.KeyboardEvent<HTMLDivElement>): void => {
    if (matchCommand('slider', event)?.id !== 'slider.move') return;
    const next = dividerAfterKey(dividerAt.current, event.key, event.shiftKey);
    if (next === null) return;
    event.preventDefault();
    dividerAt.current = next;
    setDivider(next);
    schedule();
  };

  const paneHandlers = {
    onPointerDown: onPanePointerDown,
    onPointerMove: onPanePointerMove,
    onPointerUp: endPan,
    onPointerCancel: endPan,
    onLostPointerCapture: endPan,
    onPointerLeave: onPanePointerLeave,
    onDoubleClick: onPaneDoubleClick,
  };
  const zoomed = String(!zoom.fitted);

  const renderImage = (side: Side, hidden = false): React.JSX.Element => {
    const image = side === 'before' ? before : after;
    const full = fullReady.includes(image.fullUrl);
    return (
      <img
        ref={imageRefs[side]}
        className={hidden ? 'compare-img compare-img-hidden' : 'compare-img'}
        data-testid={`compare-${side}`}
        data-resolution={full ? 'full' : 'preview'}
        src={full ? image.fullUrl : image.previewUrl}
        alt={`${SIDE_LABELS[side]}: ${image.label}`}
        aria-hidden={hidden || undefined}
        draggable={false}
        decoding="async"
      />
    );
  };

  const chip = (side: Side, position: 'start' | 'end', live = false): React.JSX.Element => {
    const image = side === 'before' ? before : after;
    return (
      <div className={`compare-chip compare-chip-${position}`} aria-live={live ? 'polite' : undefined}>
        <strong>{SIDE_LABELS[side]}</strong>
        <span className="compare-chip-label" title={image.label}>
          {image.label}
        </span>
      </div>
    );
  };

  const shownSide: Side = showingBefore ? 'before' : 'after';
  const atActualPixels = Math.abs(zoom.percent - 100) < 0.5;

  return (
    <section role="region" aria-label="Compare" className="compare">
      <div className="compare-toolbar">
        <div role="group" aria-label="Compare mode" className="compare-segmented">
          {COMPARE_MODES.map((option) => (
            <button
              key={option}
              type="button"
              className="compare-button"
              aria-pressed={option === mode}
              title={`${MODE_LABELS[option]} (Y cycles)`}
              onClick={() => onModeChange(option)}
            >
              {MODE_LABELS[option]}
            </button>
          ))}
        </div>
        <div role="group" aria-label="Zoom" className="compare-segmented">
          <button type="button" className="compare-button" aria-pressed={zoom.fitted} title="Fit (Z)" onClick={fit}>
            Fit
          </button>
          <button
            type="button"
            className="compare-button"
            aria-pressed={atActualPixels}
            title="100%: one image pixel per screen pixel (Z)"
            onClick={actualPixels}
          >
            100%
          </button>
        </div>
        <output className="compare-zoom" aria-label="Zoom level">
          {formatZoomPercent(zoom.percent)}
        </output>
        <button
          type="button"
          className="compare-button"
          aria-pressed={loupeOn}
          title="Loupe: 100% under the pointer (hold L)"
          onClick={() => setLoupeLatched((on) => !on)}
        >
          Loupe
        </button>
        <span className="compare-sizes muted">{describeSizes(before, after)}</span>
      </div>

      <div ref={stageEl} className="compare-stage" data-mode={mode} data-loupe={String(loupeOn)}>
        {mode === 'slider' ? (
          <div ref={firstPaneRef} className="compare-pane" data-pane={0} data-zoomed={zoomed} {...paneHandlers}>
            <div className="compare-layer">{renderImage('before')}</div>
            <div className="compare-layer compare-clip">{renderImage('after')}</div>
            {chip('before', 'start')}
            {chip('after', 'end')}
            <div
              ref={handleEl}
              className="compare-divider"
              role="slider"
              tabIndex={0}
              aria-label="Before/after divider"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round(divider)}
              aria-orientation="horizontal"
              onPointerDown={onDividerPointerDown}
              onPointerMove={onDividerPointerMove}
              onPointerUp={onDividerPointerEnd}
              onPointerCancel={onDividerPointerEnd}
              onLostPointerCapture={onDividerPointerEnd}
              onKeyDown={onDividerKeyDown}
              onDoubleClick={(event) => event.stopPropagation()}
            />
          </div>
        ) : mode === 'side-by-side' ? (
          <>
            <div ref={firstPaneRef} className="compare-pane" data-pane={0} data-zoomed={zoomed} {...paneHandlers}>
              {renderImage('before')}
              {chip('before', 'start')}
            </div>
            <div ref={secondPaneRef} className="compare-pane" data-pane={1} data-zoomed={zoomed} {...paneHandlers}>
              {renderImage('after')}
              {chip('after', 'start')}
            </div>
          </>
        ) : (
          <div ref={firstPaneRef} className="compare-pane" data-pane={0} data-zoomed={zoomed} {...paneHandlers}>
            {/* Both stay mounted and decoded so `\` swaps without a flash. */}
            {renderImage('before', shownSide !== 'before')}
            {renderImage('after', shownSide !== 'after')}
            {chip(shownSide, 'start', true)}
          </div>
        )}
        <div ref={loupeEl} className="compare-loupe" aria-hidden="true" hidden />
      </div>
    </section>
  );
}
