import { useState } from 'react';
import type { Asset } from '../../../../shared/domain';

/** The crop shapes presets ask for (Instagram's 4:5, a square), as width over height. */
export const CROP_SHAPES = [
  { id: '4:5', label: '4:5 portrait', aspect: 4 / 5 },
  { id: '1:1', label: 'Square', aspect: 1 },
  { id: '16:9', label: '16:9 wide', aspect: 16 / 9 },
] as const;

/** The crop frame over a photo, in percent of its width and height, placed on `focus` as far as the edges allow. */
export function cropFrame(
  photo: { width: number; height: number },
  aspect: number,
  focus: { x: number; y: number },
): { left: number; top: number; width: number; height: number } {
  const photoAspect = photo.width / photo.height;
  const width = photoAspect > aspect ? (aspect / photoAspect) * 100 : 100;
  const height = photoAspect > aspect ? 100 : (photoAspect / aspect) * 100;
  const place = (point: number, part: number) => Math.min(100 - part, Math.max(0, point * 100 - part / 2));
  return { left: place(focus.x, width), top: place(focus.y, height), width, height };
}

const clamp = (value: number) => Math.min(1, Math.max(0, value));

/**
 * Where an export crop of another shape is placed on this photo: drag the frame (or use the
 * arrow keys on it) and it is kept for every preset of a fixed size. The point saved is the
 * frame's centre, so one placement serves 4:5 and square alike.
 */
export function CropPlacer(props: {
  asset: Asset;
  previewUrl: string;
  onPlace: (focus: { x: number; y: number } | null) => void;
}): React.JSX.Element {
  const { asset, previewUrl, onPlace } = props;
  const [shape, setShape] = useState<(typeof CROP_SHAPES)[number]['id']>('4:5');
  const [dragging, setDragging] = useState<{ x: number; y: number } | null>(null);
  // Where the user last put it, ahead of the engine's answer: key presses in quick succession each
  // move on from the last one, not from a position still on its way back.
  const [placed, setPlaced] = useState<{ x: number; y: number } | 'centre' | null>(null);
  const centre = { x: 0.5, y: 0.5 };
  const focus = dragging ?? (placed === 'centre' ? centre : placed) ?? asset.cropFocus ?? centre;
  const place = (next: { x: number; y: number } | null): void => {
    setPlaced(next ?? 'centre');
    onPlace(next);
  };
  const aspect = CROP_SHAPES.find((candidate) => candidate.id === shape)?.aspect ?? 0.8;
  const frame = cropFrame({ width: asset.width ?? 1, height: asset.height ?? 1 }, aspect, focus);

  const pointAt = (event: React.PointerEvent<HTMLDivElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    return { x: clamp((event.clientX - box.left) / box.width), y: clamp((event.clientY - box.top) / box.height) };
  };
  const step = (dx: number, dy: number) => place({ x: clamp(focus.x + dx), y: clamp(focus.y + dy) });

  return (
    <div className="crop-placer">
      <div className="crop-placer-bar">
        <label>
          Shape{' '}
          <select
            aria-label="Crop shape"
            value={shape}
            onChange={(event) => setShape(event.target.value as typeof shape)}
          >
            {CROP_SHAPES.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => place(null)} disabled={focus.x === 0.5 && focus.y === 0.5}>
          Centre
        </button>
        <span className="muted">
          {asset.cropFocus
            ? 'Placed by hand: exports of a fixed size crop here.'
            : 'Centred: drag the frame to place it.'}
        </span>
      </div>
      <div
        className="crop-placer-stage"
        data-testid="crop-stage"
        onPointerDown={(event) => {
          event.currentTarget.setPointerCapture(event.pointerId);
          setDragging(pointAt(event));
        }}
        onPointerMove={(event) => {
          if (dragging) setDragging(pointAt(event));
        }}
        onPointerUp={(event) => {
          if (!dragging) return;
          setDragging(null);
          place(pointAt(event));
        }}
      >
        <img src={previewUrl} alt="" draggable={false} />
        <div
          className="crop-placer-frame"
          role="slider"
          tabIndex={0}
          aria-label="Crop position"
          aria-valuetext={`${Math.round(focus.x * 100)}% across, ${Math.round(focus.y * 100)}% down`}
          style={{ left: `${frame.left}%`, top: `${frame.top}%`, width: `${frame.width}%`, height: `${frame.height}%` }}
          onKeyDown={(event) => {
            const moves: Record<string, [number, number]> = {
              ArrowLeft: [-0.05, 0],
              ArrowRight: [0.05, 0],
              ArrowUp: [0, -0.05],
              ArrowDown: [0, 0.05],
            };
            const move = moves[event.key];
            if (!move) return;
            event.preventDefault();
            event.stopPropagation();
            step(...move);
          }}
        />
      </div>
    </div>
  );
}
