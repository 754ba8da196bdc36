import type { CompareImage } from './compare-model';
import type { ZoomReadout } from './use-compare-viewport';
import { describeSizes, formatZoomPercent } from './compare-words';
import { type CompareMode, COMPARE_MODES } from './viewport';

const MODE_LABELS: Record<CompareMode, string> = {
  slider: 'Slider',
  'side-by-side': 'Side by side',
  toggle: 'Toggle',
};

interface CompareToolbarProps {
  mode: CompareMode;
  onModeChange: (mode: CompareMode) => void;
  zoom: ZoomReadout;
  onFit: () => void;
  onActualPixels: () => void;
  loupeOn: boolean;
  onLoupeToggle: () => void;
  before: CompareImage;
  after: CompareImage;
}

/** Mode, zoom and loupe buttons, the zoom level and both images' sizes. */
export function CompareToolbar(props: CompareToolbarProps): React.JSX.Element {
  const { mode, onModeChange, zoom, onFit, onActualPixels, loupeOn, onLoupeToggle, before, after } = props;
  const atActualPixels = Math.abs(zoom.percent - 100) < 0.5;
  return (
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
        <button type="button" className="compare-button" aria-pressed={zoom.fitted} title="Fit (Z)" onClick={onFit}>
          Fit
        </button>
        <button
          type="button"
          className="compare-button"
          aria-pressed={atActualPixels}
          title="100%: one image pixel per screen pixel (Z)"
          onClick={onActualPixels}
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
        onClick={onLoupeToggle}
      >
        Loupe
      </button>
      <span className="compare-sizes muted">{describeSizes(before, after)}</span>
    </div>
  );
}
