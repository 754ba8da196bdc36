import type { CompareViewport } from './use-compare-viewport';
import { panBy } from './viewport';

type PanePointerHandler = (event: React.PointerEvent<HTMLDivElement>) => void;

/** The pointer props every pane takes: drag to pan, double-click to toggle fit/100%, and the loupe's tracking. */
export interface PaneHandlers {
  onPointerDown: PanePointerHandler;
  onPointerMove: PanePointerHandler;
  onPointerUp: PanePointerHandler;
  onPointerCancel: PanePointerHandler;
  onLostPointerCapture: PanePointerHandler;
  onPointerLeave: () => void;
  onDoubleClick: (event: React.MouseEvent<HTMLDivElement>) => void;
}

export function usePaneGestures(viewport: CompareViewport, loupeOn: boolean): PaneHandlers {
  const { stageRef, spotRef, dragRef, updateView, schedule, toggleFitAnd100At } = viewport;

  const trackPointer = (event: React.PointerEvent<HTMLDivElement>): void => {
    const pane = Number(event.currentTarget.dataset.pane ?? 0);
    const bounds = event.currentTarget.getBoundingClientRect();
    const stage = stageRef.current?.getBoundingClientRect();
    spotRef.current = {
      pane,
      x: event.clientX - bounds.left,
      y: event.clientY - bounds.top,
      stageX: event.clientX - (stage?.left ?? bounds.left),
      stageY: event.clientY - (stage?.top ?? bounds.top),
    };
  };

  const onPointerDown = (event: React.PointerEvent<HTMLDivElement>): void => {
    trackPointer(event);
    if (event.button !== 0 || dragRef.current) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    event.currentTarget.dataset.panning = 'true';
    dragRef.current = {
      kind: 'pan',
      pointerId: event.pointerId,
      lastX: event.clientX,
      lastY: event.clientY,
      left: 0,
      width: 0,
    };
  };

  const onPointerMove = (event: React.PointerEvent<HTMLDivElement>): void => {
    trackPointer(event);
    const current = dragRef.current;
    if (current?.kind === 'pan' && current.pointerId === event.pointerId) {
      const delta = { x: event.clientX - current.lastX, y: event.clientY - current.lastY };
      current.lastX = event.clientX;
      current.lastY = event.clientY;
      updateView((now, size, images, ratio) => panBy(now, delta, size, images, ratio));
    } else if (loupeOn) {
      schedule();
    }
  };

  const endPan = (event: React.PointerEvent<HTMLDivElement>): void => {
    const current = dragRef.current;
    if (current?.kind !== 'pan' || current.pointerId !== event.pointerId) return;
    dragRef.current = null;
    delete event.currentTarget.dataset.panning;
    if (event.currentTarget.hasPointerCapture(event.pointerId)) {
      event.currentTarget.releasePointerCapture(event.pointerId);
    }
  };

  const onPointerLeave = (): void => {
    // A captured drag keeps its spot: the pointer may leave the pane while panning.
    if (dragRef.current) return;
    spotRef.current = null;
    schedule();
  };

  const onDoubleClick = (event: React.MouseEvent<HTMLDivElement>): void => {
    const bounds = event.currentTarget.getBoundingClientRect();
    toggleFitAnd100At({ x: event.clientX - bounds.left, y: event.clientY - bounds.top });
  };

  return {
    onPointerDown,
    onPointerMove,
    onPointerUp: endPan,
    onPointerCancel: endPan,
    onLostPointerCapture: endPan,
    onPointerLeave,
    onDoubleClick,
  };
}
