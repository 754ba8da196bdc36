import { describe, expect, it } from 'vitest';
import * as vp from '../../renderer/src/components/compare/viewport';
import { ownPixelsView } from '../../renderer/src/components/compare/own-pixels';

describe('side by side at 100%: each image 1:1 with the screen', () => {
  const box = { width: 600, height: 450 };
  const source = { width: 640, height: 480 };
  const upscaled = { width: 1280, height: 960 };
  const images = [source, upscaled];
  /** Screen pixels per image pixel of `image` drawn at `view`. */
  const magnification = (image: vp.Size, view: vp.View): number =>
    vp.imageScreenRect(image, view, box).width / image.width;

  it('shows a 2× upscale and its source each at its own 100%, not the source blown up 2×', () => {
    const shared = vp.zoomToPercent(vp.FIT_VIEW, 100, { x: 300, y: 225 }, box, images);
    // The shared frame would draw the source at 200%.
    expect(magnification(source, shared)).toBeCloseTo(2, 5);
    expect(magnification(source, ownPixelsView(shared, source, images, box))).toBeCloseTo(1, 5);
    expect(magnification(upscaled, ownPixelsView(shared, upscaled, images, box))).toBeCloseTo(1, 5);
  });

  it('never shows an image below fit, and at fit leaves both fitted', () => {
    expect(ownPixelsView(vp.FIT_VIEW, source, images, box).scale).toBe(1);
    expect(ownPixelsView(vp.FIT_VIEW, upscaled, images, box).scale).toBe(1);
    const half = vp.zoomToPercent(vp.FIT_VIEW, 60, { x: 300, y: 225 }, box, images);
    // At 60% the upscale is drawn at 60%; the source would be smaller than its fit (93.75%), so it stays fitted.
    expect(magnification(upscaled, ownPixelsView(half, upscaled, images, box))).toBeCloseTo(0.6, 5);
    expect(magnification(source, ownPixelsView(half, source, images, box))).toBeCloseTo(600 / 640, 5);
  });
});
