import {
  type RefCallback,
  type RefObject,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { type CompareScene, type Drag, imageOn, type PointerSpot, type Side, SIDES, sideUnder } from './compare-model';
import { type LoupeTarget, paintDivider, paintImage, paintLoupe, pixelRatio } from './paint';
import { useFullResolution } from './use-full-resolution';
import { ownPixelsView } from './own-pixels';
import {
  clampView,
  FIT_VIEW,
  isFitView,
  needsFullResolution,
  percentForView,
  type Point,
  resizeView,
  type Size,
  type StartZoom,
  toggleFitAnd100,
  type View,
  wheelZoomFactor,
  zoomAbout,
  zoomToPercent,
} from './viewport';

/** What the toolbar shows of the zoom; the view itself lives in a ref. */
export interface ZoomReadout {
  percent: number;
  fitted: boolean;
}

export type { StartZoom } from './viewport';

function startView(zoom: StartZoom, box: Size, images: readonly Size[], ratio: number): View {
  if (zoom.fitted) return FIT_VIEW;
  return zoomToPercent(FIT_VIEW, zoom.percent, { x: box.width / 2, y: box.height / 2 }, box, images, ratio);
}

const usable = (size: Size): boolean => size.width > 0 && size.height > 0;
const sameSize = (a: Size, b: Size): boolean => a.width === b.width && a.height === b.height;

export type ViewChange = (current: View, size: Size, images: readonly Size[], ratio: number) => View;

export interface CompareViewport {
  zoom: ZoomReadout;
  fullReady: readonly string[];
  stageRef: RefObject<HTMLDivElement | null>;
  loupeRef: RefObject<HTMLDivElement | null>;
  /** The slider's divider handle. */
  handleRef: RefObject<HTMLDivElement | null>;
  firstPaneRef: RefCallback<HTMLDivElement>;
  secondPaneRef: RefCallback<HTMLDivElement>;
  imageRefs: Record<Side, RefCallback<HTMLImageElement>>;
  /** The mounted panes by index; the slider's divider measures the first. */
  paneElementsRef: RefObject<(HTMLDivElement | null)[]>;
  /** Where the pointer is, for the loupe and for zooming about it from the keyboard. */
  spotRef: RefObject<PointerSpot | null>;
  /** The pan or divider drag under way, if any. */
  dragRef: RefObject<Drag | null>;
  /** The divider's position in percent of the pane width. */
  dividerRef: RefObject<number>;
  /** Draw on the next animation frame (at most once per frame). */
  schedule: () => void;
  /** Replace the shared view; every pane follows on the next frame. */
  updateView: (change: ViewChange) => void;
  fit: () => void;
  actualPixels: () => void;
  /** Toggle between fit and 100%, keeping `anchor` (or the centre) in place. */
  toggleFitAnd100At: (anchor: Point | null) => void;
  /** The same about the pointer when it is over a pane (for the keyboard), else about the centre. */
  toggleFitAnd100AtPointer: () => void;
}

const NO_BOX: Size = { width: 0, height: 0 };

/**
 * The view shared by every pane (zoom and pan), the divider and the loupe. They follow the pointer
 * through refs and are drawn once per animation frame; React state changes only for what the toolbar shows.
 */
export function useCompareViewport(scene: CompareScene, startZoom: StartZoom = { fitted: true }): CompareViewport {
  const { requestFull, fullReady } = useFullResolution();
  const [zoom, setZoom] = useState<ZoomReadout>({ percent: 0, fitted: true });

  const view = useRef<View>(FIT_VIEW);
  const box = useRef<Size>(NO_BOX);
  const dividerRef = useRef(50);
  const spotRef = useRef<PointerSpot | null>(null);
  const dragRef = useRef<Drag | null>(null);
  const frame = useRef(0);
  const shownZoom = useRef<ZoomReadout>({ percent: 0, fitted: true });
  const latest = useRef(scene);
  /** A start zoom waiting for the pane to have a size (a percentage needs one). */
  const pendingStart = useRef<StartZoom | null>(null);
  const start = useRef(startZoom);

  const stageRef = useRef<HTMLDivElement | null>(null);
  const paneElementsRef = useRef<(HTMLDivElement | null)[]>([null, null]);
  const imageElements = useRef<Record<Side, HTMLImageElement | null>>({ before: null, after: null });
  const handleRef = useRef<HTMLDivElement | null>(null);
  const loupeRef = useRef<HTMLDivElement | null>(null);

  /** Write the current view, divider and loupe to the DOM. Runs at most once per frame. */
  const apply = useCallback((): void => {
    const current = latest.current;
    const images = [current.before, current.after];
    const size = box.current;
    const ratio = pixelRatio();
    const shown = clampView(view.current, size, images, ratio);
    view.current = shown;

    for (const side of SIDES) {
      const image = imageOn(side, current);
      const own = current.mode === 'side-by-side' ? ownPixelsView(shown, image, images, size, ratio) : shown;
      if (needsFullResolution(image, own, size, ratio)) requestFull(image.fullUrl);
      const element = imageElements.current[side];
      if (element) paintImage(element, image, own, size, ratio);
    }

    const pane = paneElementsRef.current[0];
    const handle = handleRef.current;
    if (current.mode === 'slider' && pane && handle) paintDivider(pane, handle, dividerRef.current, size);

    const loupe = loupeRef.current;
    if (loupe) {
      const at = spotRef.current;
      let target: LoupeTarget | null = null;
      let loupeView = shown;
      if (current.loupeOn && at && size.width > 0) {
        const side = sideUnder(at, current, dividerRef.current, size);
        target = { at, side, image: imageOn(side, current) };
        if (current.mode === 'side-by-side') loupeView = ownPixelsView(shown, target.image, images, size, ratio);
      }
      paintLoupe(loupe, target, loupeView, size, ratio);
    }

    if (size.width > 0) {
      const next = { percent: percentForView(shown, size, images, ratio), fitted: isFitView(shown) };
      const readout = shownZoom.current;
      if (Math.abs(next.percent - readout.percent) > 0.05 || next.fitted !== readout.fitted) {
        shownZoom.current = next;
        setZoom(next);
      }
    }
  }, [requestFull]);

  const schedule = useCallback((): void => {
    if (frame.current !== 0) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      apply();
    });
  }, [apply]);

  const updateView = useCallback(
    (change: ViewChange): void => {
      const { before, after } = latest.current;
      view.current = change(view.current, box.current, [before, after], pixelRatio());
      schedule();
    },
    [schedule],
  );

  const setBox = useCallback((next: Size): void => {
    const previous = box.current;
    if (previous.width === next.width && previous.height === next.height) return;
    const { before, after } = latest.current;
    const waiting = pendingStart.current;
    if (waiting && usable(next)) {
      pendingStart.current = null;
      view.current = startView(waiting, next, [before, after], pixelRatio());
    } else view.current = resizeView(view.current, previous, next, [before, after], pixelRatio());
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
      paneElementsRef.current[index] = element;
      if (!element) return undefined;
      // React's onWheel is passive, so it could not stop the page from scrolling.
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
        if (paneElementsRef.current[index] === element) paneElementsRef.current[index] = null;
      };
    },
    [onWheel, setBox, apply],
  );
  const firstPaneRef = useCallback((element: HTMLDivElement | null) => attachPane(0, element), [attachPane]);
  const secondPaneRef = useCallback((element: HTMLDivElement | null) => attachPane(1, element), [attachPane]);

  const imageRefs = useMemo(
    () => ({
      before: (element: HTMLImageElement | null) => {
        imageElements.current.before = element;
      },
      after: (element: HTMLImageElement | null) => {
        imageElements.current.after = element;
      },
    }),
    [],
  );

  // Keep what the frame callback reads current, and draw every render's new elements before paint.
  const shownBefore = useRef<string | null>(null);
  useLayoutEffect(() => {
    const previous = latest.current;
    latest.current = scene;
    const images = [scene.before, scene.after];
    const size = box.current;
    const zoom = start.current;
    if (shownBefore.current !== scene.before.fullUrl) {
      // A new source photo starts at the zoom it was opened with (fit, or the zoom of the photo before).
      shownBefore.current = scene.before.fullUrl;
      if (zoom.fitted || usable(size)) view.current = startView(zoom, size, images, pixelRatio());
      else {
        view.current = FIT_VIEW;
        pendingStart.current = zoom;
      }
    } else if (!zoom.fitted && usable(size) && !sameSize(previous.after, scene.after)) {
      // A variant of another size (a 2× upscale) keeps the zoom percentage, about the centre.
      view.current = zoomToPercent(
        view.current,
        zoom.percent,
        { x: size.width / 2, y: size.height / 2 },
        size,
        images,
        pixelRatio(),
      );
    }
    start.current = startZoom;
    apply();
  });

  useEffect(
    () => () => {
      cancelAnimationFrame(frame.current);
      frame.current = 0;
    },
    [],
  );

  const fit = (): void => updateView(() => FIT_VIEW);
  const actualPixels = (): void =>
    updateView((current, size, images, ratio) =>
      zoomToPercent(current, 100, { x: size.width / 2, y: size.height / 2 }, size, images, ratio),
    );
  const toggleFitAnd100At = (anchor: Point | null): void =>
    updateView((current, size, images, ratio) => toggleFitAnd100(current, anchor, size, images, ratio));
  const toggleFitAnd100AtPointer = (): void => {
    const at = spotRef.current;
    toggleFitAnd100At(at ? { x: at.x, y: at.y } : null);
  };

  return {
    zoom,
    fullReady,
    stageRef,
    loupeRef,
    handleRef,
    firstPaneRef,
    secondPaneRef,
    imageRefs,
    paneElementsRef,
    spotRef,
    dragRef,
    dividerRef,
    schedule,
    updateView,
    fit,
    actualPixels,
    toggleFitAnd100At,
    toggleFitAnd100AtPointer,
  };
}
