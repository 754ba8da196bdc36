import { useEffect, useState } from 'react';
import type { CompareImage } from './compare-model';
import { CompareToolbar } from './CompareToolbar';
import { SideBySideMode } from './SideBySideMode';
import { SliderMode } from './SliderMode';
import { ToggleMode } from './ToggleMode';
import { useCompareKeys } from './use-compare-keys';
import { useCompareViewport, type StartZoom } from './use-compare-viewport';
import { useDivider } from './use-divider';
import { usePaneGestures } from './use-pane-gestures';
import type { CompareMode } from './viewport';
import './compare.css';

export type { CompareImage } from './compare-model';
export type { CompareMode } from './viewport';
export type { StartZoom } from './use-compare-viewport';

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
  /** The zoom a photo opens at (the zoom of the photo before it, so 100% stays 100% on ↓). */
  startZoom?: StartZoom;
  /** Told when the user zooms (fit, or the densest image's percentage). */
  onZoomChange?: (zoom: StartZoom) => void;
}

/**
 * Before/after compare for review: a slider, two synchronised panes, or one image toggled with `\`.
 * Zoom, pan, the divider and the loupe are drawn by useCompareViewport, outside React's renders;
 * the modes only lay out the panes it draws into.
 */
export function CompareView(props: CompareViewProps): React.JSX.Element {
  const { before, after, mode, onModeChange, showingBefore = false, onToggle, startZoom, onZoomChange } = props;

  // The loupe shows while its button is on or while L is held.
  const [loupeLatched, setLoupeLatched] = useState(false);
  const [loupeHeld, setLoupeHeld] = useState(false);
  const loupeOn = loupeLatched || loupeHeld;

  const viewport = useCompareViewport({ before, after, mode, showingBefore, loupeOn }, startZoom);
  const { fitted, percent } = viewport.zoom;
  useEffect(() => {
    // Percent 0 is the readout before the first frame is drawn, not a zoom the user chose.
    if (percent > 0) onZoomChange?.(fitted ? { fitted: true } : { fitted: false, percent });
  }, [fitted, percent, onZoomChange]);
  const paneHandlers = usePaneGestures(viewport, loupeOn);
  const divider = useDivider(viewport);
  useCompareKeys({
    mode,
    onModeChange,
    onToggle,
    onZoomToggle: viewport.toggleFitAnd100AtPointer,
    onLoupeHeld: setLoupeHeld,
  });

  const { stageRef, loupeRef, handleRef, firstPaneRef, secondPaneRef } = viewport;
  const images = { before, after, fullReady: viewport.fullReady, imageRefs: viewport.imageRefs };
  const pane = { zoomed: !viewport.zoom.fitted, handlers: paneHandlers };

  return (
    <section role="region" aria-label="Compare" className="compare">
      <CompareToolbar
        mode={mode}
        onModeChange={onModeChange}
        zoom={viewport.zoom}
        onFit={viewport.fit}
        onActualPixels={viewport.actualPixels}
        loupeOn={loupeOn}
        onLoupeToggle={() => setLoupeLatched((on) => !on)}
        before={before}
        after={after}
      />

      <div ref={stageRef} className="compare-stage" data-mode={mode} data-loupe={String(loupeOn)}>
        {mode === 'slider' ? (
          <SliderMode images={images} pane={pane} paneRef={firstPaneRef} handleRef={handleRef} divider={divider} />
        ) : mode === 'side-by-side' ? (
          <SideBySideMode images={images} pane={pane} beforePaneRef={firstPaneRef} afterPaneRef={secondPaneRef} />
        ) : (
          <ToggleMode images={images} pane={pane} paneRef={firstPaneRef} showingBefore={showingBefore} />
        )}
        <div ref={loupeRef} className="compare-loupe" aria-hidden="true" hidden />
      </div>
    </section>
  );
}
