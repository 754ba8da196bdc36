/**
 * The frame shown at `time`: frame n covers [n/fps, (n+1)/fps). A step aims at the middle of its
 * frame, so the small epsilon only absorbs the float error of a time that is exactly on a boundary.
 */
export function frameAt(time: number, fps: number): number {
  return Math.floor(time * fps + 1e-6);
}

/** Where a step of `frames` from `time` lands: the middle of that frame, within the video. */
export function stepTarget(time: number, fps: number, duration: number, frames: number): number {
  const last = Number.isFinite(duration) ? Math.max(0, Math.ceil(duration * fps - 1e-6) - 1) : Number.MAX_SAFE_INTEGER;
  const target = Math.min(last, Math.max(0, frameAt(time, fps) + frames));
  return (target + 0.5) / fps;
}
