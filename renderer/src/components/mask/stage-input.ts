import { MAX_STROKE_POINTS, type MaskPoint, type MaskStroke } from '../../../../shared/mask';
import type { BrushSettings } from './brush-settings';
import { storedStroke } from './mask-history';
import type { BrushStroke, MaskPainter } from './mask-painter';
import { panBy, toPhoto, zoomAt, type MaskView } from './mask-view';

/** What the stage's pointer handling reads at the moment of each event (kept current by the editor). */
export interface StageState {
  view: MaskView;
  brush: BrushSettings;
  painter: MaskPainter | null;
  /** Is the drawing inverted (strokes are then kept in the opposite mode)? */
  inverted: boolean;
  /** Space is held: a drag pans. */
  spaceHeld: boolean;
}

export interface StageCallbacks {
  state: () => StageState;
  /** Changes the view from the one current when it applies (several wheel events may land before a render). */
  setView: (update: (view: MaskView) => MaskView) => void;
  /** A stroke was painted (its pixels are already in the painter): keep it in the drawing. */
  strokeDone: (stroke: MaskStroke) => void;
  setBrush: (change: Partial<BrushSettings>) => void;
  /** The painter has new pixels to show. */
  repaint: () => void;
  /** The box tool drew a box (photo pixels): refine to the edges inside it. */
  boxDrawn: (box: { x: number; y: number; width: number; height: number }) => void;
  /** The colour tool clicked a point of the photo. */
  picked: (point: { x: number; y: number }) => void;
}

type Drag =
  | { kind: 'pan'; x: number; y: number; view: MaskView }
  | { kind: 'box'; from: MaskPoint; to: MaskPoint }
  | { kind: 'resize'; x: number; y: number; size: number; hardness: number }
  | { kind: 'stroke'; stored: BrushStroke; points: MaskPoint[] };

/**
 * Pointer input on the painting stage, in plain DOM (no React render per move): paint with the left
 * button, erase with the right one, Alt or the eraser tool; Shift-click draws a straight line from
 * the last point; Alt + right-drag sets the size (sideways) and hardness (up and down); the middle
 * button or Space-drag pans; the wheel zooms at the pointer. Every coalesced pointer event is used,
 * so fast strokes keep their shape; points closer than a fraction of the brush are skipped.
 */
export interface AttachedStage {
  detach: () => void;
  /** A stroke is being painted: edits of the whole drawing (undo, invert…) wait until it ends. */
  drawing: () => boolean;
}

export function attachStage(stage: HTMLElement, cursor: HTMLCanvasElement, callbacks: StageCallbacks): AttachedStage {
  let drag: Drag | null = null;
  /** The pointer that started the drag: a second one (a palm, another finger) is ignored until it ends. */
  let activePointer: number | null = null;
  let lastPoint: MaskPoint | null = null;
  let pointer: { x: number; y: number } | null = null;

  const local = (event: { clientX: number; clientY: number }) => {
    const rect = stage.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  };
  const longSide = (painter: MaskPainter) => Math.max(painter.photoWidth, painter.photoHeight);

  const pointOf = (event: PointerEvent, view: MaskView): MaskPoint => {
    const at = local(event);
    const { painter } = callbacks.state();
    // A point dragged far off the photo (zoomed out, the pointer captured) is kept within the
    // drawing's bounds: a brush from there cannot reach the photo anyway.
    const reach = painter ? 3 * longSide(painter) : 0;
    const clamp = (value: number, side: number) => Math.min(side + reach, Math.max(-reach, value));
    const raw = toPhoto(view, at.x, at.y);
    const photo = painter ? { x: clamp(raw.x, painter.photoWidth), y: clamp(raw.y, painter.photoHeight) } : raw;
    // A mouse reports 0.5 while pressed: only a pen's pressure is real.
    return event.pointerType === 'pen' ? { ...photo, pressure: event.pressure } : photo;
  };

  const drawCursor = (): void => {
    const context = cursor.getContext('2d');
    if (!context) return;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.round(stage.clientWidth * ratio);
    const height = Math.round(stage.clientHeight * ratio);
    if (cursor.width !== width || cursor.height !== height) {
      cursor.width = width;
      cursor.height = height;
    }
    context.clearRect(0, 0, width, height);
    const { view, brush, painter } = callbacks.state();
    if (drag?.kind === 'box') {
      // The box being drawn, in screen pixels.
      const left = Math.min(drag.from.x, drag.to.x) * view.scale + view.offsetX;
      const top = Math.min(drag.from.y, drag.to.y) * view.scale + view.offsetY;
      context.setLineDash([6 * ratio, 4 * ratio]);
      context.strokeStyle = 'rgba(255,255,255,0.95)';
      context.lineWidth = ratio;
      context.strokeRect(
        left * ratio,
        top * ratio,
        Math.abs(drag.to.x - drag.from.x) * view.scale * ratio,
        Math.abs(drag.to.y - drag.from.y) * view.scale * ratio,
      );
      return;
    }
    if (!pointer || !painter || drag?.kind === 'pan' || brush.tool === 'box' || brush.tool === 'colour') return;
    const radius = ((brush.size * longSide(painter)) / 2) * view.scale * ratio;
    const x = pointer.x * ratio;
    const y = pointer.y * ratio;
    context.lineWidth = ratio;
    for (const [colour, offset] of [
      ['rgba(0,0,0,0.8)', 1],
      ['rgba(255,255,255,0.9)', 0],
    ] as const) {
      context.strokeStyle = colour;
      context.setLineDash([]);
      context.beginPath();
      context.arc(x, y, Math.max(1, radius + offset * ratio), 0, Math.PI * 2);
      context.stroke();
      if (brush.hardness < 1 && brush.hardness > 0) {
        context.setLineDash([4 * ratio, 4 * ratio]);
        context.beginPath();
        context.arc(x, y, Math.max(1, radius * brush.hardness + offset * ratio), 0, Math.PI * 2);
        context.stroke();
      }
    }
  };

  const addPoint = (point: MaskPoint): void => {
    if (drag?.kind !== 'stroke') return;
    const { painter, brush, view } = callbacks.state();
    if (!painter) return;
    const last = drag.points.at(-1);
    // Closer than a twentieth of the brush (and half a screen pixel) adds nothing a person can see.
    const spacing = Math.max((brush.size * longSide(painter)) / 20, 0.5 / view.scale);
    if (last && Math.hypot(point.x - last.x, point.y - last.y) < spacing) return;
    if (drag.points.length >= MAX_STROKE_POINTS) {
      // A stroke this long is kept as two sharing one point: the drawing's limits hold and the line
      // goes on (a soft or translucent erase erases that one point's disc twice).
      finishStroke();
      startStroke(last ?? point);
    }
    drag.points.push(point);
    painter.extend(drag.stored, point);
    callbacks.repaint();
  };

  const brushStroke = (erase: boolean, pen: boolean): BrushStroke => {
    const { brush, inverted, painter } = callbacks.state();
    return storedStroke(inverted, {
      size: brush.size * (painter ? longSide(painter) : 1),
      hardness: brush.hardness,
      opacity: brush.opacity,
      mode: erase ? ('erase' as const) : ('paint' as const),
      ...(pen && (brush.pressureSize || brush.pressureOpacity)
        ? { pressureControls: { size: brush.pressureSize, opacity: brush.pressureOpacity } }
        : {}),
    });
  };

  let strokeErase = false;
  let strokePen = false;
  const startStroke = (first: MaskPoint): void => {
    const { painter } = callbacks.state();
    if (!painter) return;
    const stored = brushStroke(strokeErase, strokePen);
    drag = { kind: 'stroke', stored, points: [first] };
    painter.begin(stored, first);
    callbacks.repaint();
  };
  const finishStroke = (): void => {
    if (drag?.kind !== 'stroke') return;
    const { painter } = callbacks.state();
    painter?.end();
    const stroke: MaskStroke = { ...drag.stored, points: drag.points };
    lastPoint = drag.points.at(-1) ?? lastPoint;
    drag = null;
    callbacks.strokeDone(stroke);
  };

  const onPointerDown = (event: PointerEvent): void => {
    const state = callbacks.state();
    if (!state.painter || activePointer !== null) return;
    activePointer = event.pointerId;
    stage.setPointerCapture(event.pointerId);
    event.preventDefault();
    const at = local(event);
    if (event.button === 1 || (event.button === 0 && state.spaceHeld)) {
      drag = { kind: 'pan', x: at.x, y: at.y, view: state.view };
      stage.classList.add('panning');
      return;
    }
    if (event.button === 2 && event.altKey) {
      drag = { kind: 'resize', x: at.x, y: at.y, size: state.brush.size, hardness: state.brush.hardness };
      return;
    }
    if (event.button !== 0 && event.button !== 2) {
      activePointer = null;
      return;
    }
    if (event.button === 0 && state.brush.tool === 'box') {
      const from = pointOf(event, state.view);
      drag = { kind: 'box', from, to: from };
      return;
    }
    if (event.button === 0 && state.brush.tool === 'colour') {
      const at = pointOf(event, state.view);
      if (at.x >= 0 && at.y >= 0 && at.x < state.painter.photoWidth && at.y < state.painter.photoHeight) {
        callbacks.picked({ x: at.x, y: at.y });
      }
      return;
    }
    strokeErase = event.button === 2 || event.altKey || state.brush.tool === 'eraser';
    strokePen = event.pointerType === 'pen';
    const point = pointOf(event, state.view);
    if (event.shiftKey && lastPoint) {
      // Shift-click: a straight line from where the last stroke ended.
      startStroke(lastPoint);
      if (drag?.kind === 'stroke') {
        drag.points.push(point);
        state.painter.extend(drag.stored, point);
      }
      finishStroke();
      return;
    }
    startStroke(point);
  };

  const onPointerMove = (event: PointerEvent): void => {
    if (activePointer !== null && event.pointerId !== activePointer) return;
    pointer = local(event);
    const state = callbacks.state();
    if (drag?.kind === 'box') {
      drag.to = pointOf(event, state.view);
    } else if (drag?.kind === 'pan') {
      const { view, x, y } = drag;
      const to = pointer;
      callbacks.setView(() => panBy(view, to.x - x, to.y - y));
    } else if (drag?.kind === 'resize' && state.painter) {
      const long = longSide(state.painter);
      const size = Math.min(1, Math.max(0.001, drag.size + ((pointer.x - drag.x) * 2) / (state.view.scale * long)));
      const hardness = Math.min(1, Math.max(0, drag.hardness - (pointer.y - drag.y) / 200));
      callbacks.setBrush({ size, hardness: Math.round(hardness * 100) / 100 });
    } else if (drag?.kind === 'stroke') {
      const events = typeof event.getCoalescedEvents === 'function' ? event.getCoalescedEvents() : [];
      for (const each of events.length > 0 ? events : [event]) addPoint(pointOf(each, state.view));
    }
    drawCursor();
  };

  const onPointerUp = (event: PointerEvent): void => {
    if (event.pointerId !== activePointer) return;
    activePointer = null;
    if (stage.hasPointerCapture(event.pointerId)) stage.releasePointerCapture(event.pointerId);
    if (drag?.kind === 'stroke') finishStroke();
    if (drag?.kind === 'box') boxDone(drag.from, drag.to);
    drag = null;
    stage.classList.remove('panning');
    drawCursor();
  };

  /** A box of at least a few pixels, within the photo, goes to be refined. */
  const boxDone = (from: MaskPoint, to: MaskPoint): void => {
    const { painter } = callbacks.state();
    if (!painter) return;
    const x = Math.max(0, Math.floor(Math.min(from.x, to.x)));
    const y = Math.max(0, Math.floor(Math.min(from.y, to.y)));
    const right = Math.min(painter.photoWidth, Math.ceil(Math.max(from.x, to.x)));
    const bottom = Math.min(painter.photoHeight, Math.ceil(Math.max(from.y, to.y)));
    if (right - x >= 4 && bottom - y >= 4) callbacks.boxDrawn({ x, y, width: right - x, height: bottom - y });
  };

  const onLeave = (): void => {
    pointer = null;
    drawCursor();
  };

  const onWheel = (event: WheelEvent): void => {
    event.preventDefault();
    const at = local(event);
    const factor = Math.exp(-event.deltaY * 0.0015);
    callbacks.setView((view) => zoomAt(view, factor, at.x, at.y));
  };

  const onContextMenu = (event: Event): void => event.preventDefault();

  stage.addEventListener('pointerdown', onPointerDown);
  stage.addEventListener('pointermove', onPointerMove);
  stage.addEventListener('pointerup', onPointerUp);
  stage.addEventListener('pointercancel', onPointerUp);
  stage.addEventListener('pointerleave', onLeave);
  stage.addEventListener('wheel', onWheel, { passive: false });
  stage.addEventListener('contextmenu', onContextMenu);
  const detach = (): void => {
    stage.removeEventListener('pointerdown', onPointerDown);
    stage.removeEventListener('pointermove', onPointerMove);
    stage.removeEventListener('pointerup', onPointerUp);
    stage.removeEventListener('pointercancel', onPointerUp);
    stage.removeEventListener('pointerleave', onLeave);
    stage.removeEventListener('wheel', onWheel);
    stage.removeEventListener('contextmenu', onContextMenu);
  };
  return { detach, drawing: () => drag?.kind === 'stroke' };
}
