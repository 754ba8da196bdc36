import { describe, expect, it } from 'vitest';
import * as divider from '../../renderer/src/components/compare/divider';
import * as words from '../../renderer/src/components/compare/compare-words';
import * as vp from '../../renderer/src/components/compare/viewport';

type Point = vp.Point;
type Rect = vp.Rect;
type Size = vp.Size;
type View = vp.View;

const BOX: Size = { width: 1200, height: 800 };
const CAMERA: Size = { width: 6000, height: 4000 }; // 3:2 original
const VARIANT: Size = { width: 2048, height: 1152 }; // 16:9, a provider's 2048 px output
const PORTRAIT: Size = { width: 4000, height: 6000 };

function expectPoint(actual: Point, x: number, y: number, digits = 6): void {
  expect(actual.x).toBeCloseTo(x, digits);
  expect(actual.y).toBeCloseTo(y, digits);
}

function expectRect(actual: Rect, x: number, y: number, width: number, height: number, digits = 6): void {
  expect(actual.x).toBeCloseTo(x, digits);
  expect(actual.y).toBeCloseTo(y, digits);
  expect(actual.width).toBeCloseTo(width, digits);
  expect(actual.height).toBeCloseTo(height, digits);
}

const centreOf = (box: Size): Point => ({ x: box.width / 2, y: box.height / 2 });

describe('fitting an image into the box', () => {
  it('fits a 6000×4000 photo exactly into a 1200×800 box at 0.2', () => {
    expect(vp.fitScale(CAMERA, BOX)).toBeCloseTo(0.2, 12);
    expectRect(vp.fitRect(CAMERA, BOX), 0, 0, 1200, 800);
  });

  it('letterboxes a wider image and centres it vertically', () => {
    expect(vp.fitScale(VARIANT, BOX)).toBeCloseTo(1200 / 2048, 12);
    expectRect(vp.fitRect(VARIANT, BOX), 0, 62.5, 1200, 675);
  });

  it('pillarboxes a portrait image and centres it horizontally', () => {
    expectRect(vp.fitRect(PORTRAIT, BOX), 1000 / 3, 0, 1600 / 3, 800);
  });

  it('scales a small image up so both images fill the same frame', () => {
    expect(vp.fitScale({ width: 600, height: 400 }, BOX)).toBe(2);
    expectRect(vp.fitRect({ width: 600, height: 400 }, BOX), 0, 0, 1200, 800);
  });

  it('gives an empty fit for an unmeasured box or a broken size instead of NaN', () => {
    expect(vp.fitScale(CAMERA, { width: 0, height: 0 })).toBe(0);
    expect(vp.fitScale({ width: 0, height: 4000 }, BOX)).toBe(0);
    expect(vp.fitScale({ width: Number.NaN, height: 4000 }, BOX)).toBe(0);
    expectRect(vp.fitRect({ width: 0, height: 0 }, BOX), 600, 400, 0, 0);
  });

  it('takes the union of both fitted images as the content', () => {
    expectRect(vp.contentRect([CAMERA, VARIANT], BOX), 0, 0, 1200, 800);
    expectRect(vp.contentRect([VARIANT], BOX), 0, 62.5, 1200, 675);
    // A landscape and a portrait in a square box: each letterboxed the other way, the union fills it.
    const square = { width: 1000, height: 1000 };
    expectRect(vp.contentRect([CAMERA, PORTRAIT], square), 0, 0, 1000, 1000);
  });
});

describe('zoom percentages', () => {
  it('shows fit as 20% and puts 100% at 5× fit for 6000×4000 in 1200×800', () => {
    expect(vp.percentForView(vp.FIT_VIEW, BOX, [CAMERA])).toBeCloseTo(20, 9);
    expect(vp.scaleForPercent(100, BOX, [CAMERA])).toBeCloseTo(5, 9);
    expect(vp.scaleForPercent(50, BOX, [CAMERA])).toBeCloseTo(2.5, 9);
  });

  it('counts device pixels: on a 2× display 100% is half the CSS scale', () => {
    expect(vp.scaleForPercent(100, BOX, [CAMERA], 2)).toBeCloseTo(2.5, 9);
    expect(vp.percentForView(vp.FIT_VIEW, BOX, [CAMERA], 2)).toBeCloseTo(40, 9);
  });

  it('refers percentages to the image with the most pixels in the frame, whichever side it is on', () => {
    expect(vp.referenceIndex([CAMERA, VARIANT], BOX)).toBe(0);
    expect(vp.referenceIndex([VARIANT, CAMERA], BOX)).toBe(1);
    // An upscaled variant: 100% means the variant's pixels, so its detail is not downsampled.
    const upscaled = { width: 12000, height: 8000 };
    expect(vp.referenceIndex([CAMERA, upscaled], BOX)).toBe(1);
    expect(vp.scaleForPercent(100, BOX, [CAMERA, upscaled])).toBeCloseTo(10, 9);
    expect(vp.referenceIndex([CAMERA, CAMERA], BOX)).toBe(0);
    expect(vp.referenceIndex([], BOX)).toBe(-1);
    expect(vp.referenceIndex([CAMERA], { width: 0, height: 0 })).toBe(-1);
  });

  it('limits zoom to fit at the low end and 1600% at the high end', () => {
    expect(vp.zoomLimits(BOX, [CAMERA])).toEqual({ min: 1, max: 80 });
    expect(vp.zoomLimits(BOX, [CAMERA], 2).max).toBeCloseTo(40, 9);
    // 50×50 fitted to 800 px is already 1600%: no zooming in beyond fit.
    expect(vp.zoomLimits(BOX, [{ width: 50, height: 50 }])).toEqual({ min: 1, max: 1 });
  });

  it('clamps the scale into the limits', () => {
    expect(vp.clampView({ scale: 500, cx: 0.5, cy: 0.5 }, BOX, [CAMERA]).scale).toBe(80);
    expect(vp.clampView({ scale: 0.2, cx: 0.5, cy: 0.5 }, BOX, [CAMERA])).toEqual(vp.FIT_VIEW);
    expect(vp.clampView({ scale: Number.NaN, cx: 0.3, cy: 0.9 }, BOX, [CAMERA])).toEqual(vp.FIT_VIEW);
    expect(vp.clampView({ scale: 3, cx: 0.5, cy: 0.5 }, { width: 0, height: 800 }, [CAMERA])).toEqual(vp.FIT_VIEW);
  });

  it('knows fit when it sees it', () => {
    expect(vp.isFitView(vp.FIT_VIEW)).toBe(true);
    expect(vp.isFitView({ scale: 1.01, cx: 0.5, cy: 0.5 })).toBe(false);
  });
});

describe('100% on a 6000×4000 photo in a 1200×800 box', () => {
  const view = vp.zoomToPercent(vp.FIT_VIEW, 100, centreOf(BOX), BOX, [CAMERA]);

  it('draws the photo at its own size around the centre', () => {
    expect(view).toEqual({ scale: 5, cx: 0.5, cy: 0.5 });
    expectRect(vp.imageScreenRect(CAMERA, view, BOX), -2400, -1600, 6000, 4000);
    expectPoint(vp.screenToImage(centreOf(BOX), CAMERA, view, BOX), 3000, 2000);
  });

  it('maps one image pixel to one screen pixel', () => {
    const a = vp.imageToScreen({ x: 3000, y: 2000 }, CAMERA, view, BOX);
    const b = vp.imageToScreen({ x: 3001, y: 2001 }, CAMERA, view, BOX);
    expectPoint({ x: b.x - a.x, y: b.y - a.y }, 1, 1);
  });

  it('round-trips between screen and image pixels', () => {
    const image = vp.screenToImage({ x: 17, y: 791 }, CAMERA, view, BOX);
    expectPoint(vp.imageToScreen(image, CAMERA, view, BOX), 17, 791);
    const layout = vp.screenToLayout({ x: 17, y: 791 }, view, BOX);
    expectPoint(vp.layoutToScreen(layout, view, BOX), 17, 791);
  });

  it('matches the translate-and-scale the component applies', () => {
    expect(vp.viewTransform(view, BOX)).toEqual({ x: -2400, y: -1600, scale: 5 });
  });
});

describe('zooming about a point', () => {
  it('keeps the pixel under the cursor under the cursor', () => {
    const anchor = { x: 300, y: 200 };
    expectPoint(vp.screenToImage(anchor, CAMERA, vp.FIT_VIEW, BOX), 1500, 1000);
    const view = vp.zoomToPercent(vp.FIT_VIEW, 100, anchor, BOX, [CAMERA]);
    expect(view.scale).toBeCloseTo(5, 9);
    expect(view.cx).toBeCloseTo(0.3, 9);
    expect(view.cy).toBeCloseTo(0.3, 9);
    expectPoint(vp.screenToImage(anchor, CAMERA, view, BOX), 1500, 1000);
  });

  it('keeps the cursor pixel fixed over several wheel steps in and out', () => {
    const anchor = { x: 913, y: 127 };
    const pixel = vp.screenToImage(anchor, CAMERA, vp.FIT_VIEW, BOX);
    let view: View = vp.FIT_VIEW;
    for (const factor of [1.5, 2, 1.25, 0.8]) {
      view = vp.zoomAbout(view, view.scale * factor, anchor, BOX, [CAMERA]);
      const under = vp.screenToImage(anchor, CAMERA, view, BOX);
      expectPoint(under, pixel.x, pixel.y, 6);
    }
    expect(view.scale).toBeCloseTo(3, 9);
  });

  it('keeps the top-left pixel in the top-left corner when zooming there', () => {
    const view = vp.zoomToPercent(vp.FIT_VIEW, 100, { x: 0, y: 0 }, BOX, [CAMERA]);
    expect(view.cx).toBeCloseTo(0.1, 9);
    expectPoint(vp.imageToScreen({ x: 0, y: 0 }, CAMERA, view, BOX), 0, 0);
  });

  it('stops at the deepest zoom and still zooms towards the cursor', () => {
    const anchor = { x: 900, y: 600 };
    const view = vp.zoomAbout(vp.FIT_VIEW, 1000, anchor, BOX, [CAMERA]);
    expect(view.scale).toBe(80);
    expect(vp.percentForView(view, BOX, [CAMERA])).toBeCloseTo(1600, 6);
    expectPoint(vp.screenToImage(anchor, CAMERA, view, BOX), 4500, 3000);
  });

  it('zooming out below fit returns to the centred fit', () => {
    const zoomed = vp.zoomToPercent(vp.FIT_VIEW, 100, { x: 50, y: 50 }, BOX, [CAMERA]);
    expect(vp.zoomAbout(zoomed, 0.5, { x: 1100, y: 700 }, BOX, [CAMERA])).toEqual(vp.FIT_VIEW);
  });

  it('never zooms in for an image already past 1600% at fit', () => {
    const tiny = { width: 50, height: 50 };
    expect(vp.zoomAbout(vp.FIT_VIEW, 4, { x: 10, y: 10 }, BOX, [tiny])).toEqual(vp.FIT_VIEW);
  });
});

describe('panning', () => {
  const at100 = vp.zoomToPercent(vp.FIT_VIEW, 100, centreOf(BOX), BOX, [CAMERA]);

  it('moves the content with the pointer', () => {
    const moved = vp.panBy(at100, { x: 100, y: -40 }, BOX, [CAMERA]);
    const before = vp.imageScreenRect(CAMERA, at100, BOX);
    const after = vp.imageScreenRect(CAMERA, moved, BOX);
    expect(after.x - before.x).toBeCloseTo(100, 9);
    expect(after.y - before.y).toBeCloseTo(-40, 9);
  });

  it('stops with the left and top edges on the box edges', () => {
    const view = vp.panBy(at100, { x: 10_000, y: 10_000 }, BOX, [CAMERA]);
    const rect = vp.imageScreenRect(CAMERA, view, BOX);
    expect(rect.x).toBeCloseTo(0, 9);
    expect(rect.y).toBeCloseTo(0, 9);
  });

  it('stops with the right and bottom edges on the box edges', () => {
    const view = vp.panBy(at100, { x: -10_000, y: -10_000 }, BOX, [CAMERA]);
    const rect = vp.imageScreenRect(CAMERA, view, BOX);
    expect(rect.x + rect.width).toBeCloseTo(1200, 9);
    expect(rect.y + rect.height).toBeCloseTo(800, 9);
  });

  it('does nothing at fit', () => {
    expect(vp.panBy(vp.FIT_VIEW, { x: 300, y: 300 }, BOX, [CAMERA])).toEqual(vp.FIT_VIEW);
  });

  it('keeps a letterboxed image centred on its short axis until it outgrows the box', () => {
    const tall: Size = { width: 1200, height: 1000 }; // the 3:2 photo fits as 1200×800 at y = 100
    const slightly: View = { scale: 1.1, cx: 0.5, cy: 0.5 };
    const moved = vp.panBy(slightly, { x: 0, y: 500 }, tall, [CAMERA]);
    expect(moved.cy).toBeCloseTo(0.5, 12);
    const deep = vp.panBy({ scale: 2, cx: 0.5, cy: 0.5 }, { x: 0, y: 5000 }, tall, [CAMERA]);
    expect(deep.cy).toBeCloseTo(0.35, 12);
    expect(vp.imageScreenRect(CAMERA, deep, tall).y).toBeCloseTo(0, 9);
  });

  it('lets the wider of two images set the pan limit', () => {
    // Box 1200×800: the 16:9 variant is 675 high; the 3:2 original fills 800, so vertical pan reaches its edges.
    const view = vp.panBy({ scale: 2, cx: 0.5, cy: 0.5 }, { x: 0, y: 5000 }, BOX, [CAMERA, VARIANT]);
    expect(vp.imageScreenRect(CAMERA, view, BOX).y).toBeCloseTo(0, 9);
    expect(vp.imageScreenRect(VARIANT, view, BOX).y).toBeCloseTo(125, 9);
  });

  it('repairs a non-finite centre', () => {
    const view = vp.clampView({ scale: 5, cx: Number.NaN, cy: Number.POSITIVE_INFINITY }, BOX, [CAMERA]);
    expect(view).toEqual({ scale: 5, cx: 0.5, cy: 0.5 });
  });
});

describe('keeping two images of different size and aspect aligned', () => {
  it('maps centre to centre and corners through the shared frame', () => {
    expectPoint(vp.mapImagePoint({ x: 3000, y: 2000 }, CAMERA, VARIANT, BOX), 1024, 576);
    // The variant is letterboxed, so the original's top-left lies above it.
    expectPoint(vp.mapImagePoint({ x: 0, y: 0 }, CAMERA, VARIANT, BOX), 0, -62.5 / (1200 / 2048));
    expectPoint(vp.mapImagePoint({ x: 0, y: 0 }, VARIANT, CAMERA, BOX), 0, 312.5);
  });

  it('round-trips a pixel from one image to the other and back', () => {
    const there = vp.mapImagePoint({ x: 1234, y: 3456 }, CAMERA, VARIANT, BOX);
    expectPoint(vp.mapImagePoint(there, VARIANT, CAMERA, BOX), 1234, 3456);
  });

  it('draws matching pixels at the same screen point after zoom and pan', () => {
    let view = vp.zoomToPercent(vp.FIT_VIEW, 100, { x: 200, y: 700 }, BOX, [CAMERA, VARIANT]);
    view = vp.panBy(view, { x: -333, y: 77 }, BOX, [CAMERA, VARIANT]);
    for (const pixel of [
      { x: 1500, y: 1000 },
      { x: 10, y: 3900 },
      { x: 5999, y: 2000 },
    ]) {
      const onScreen = vp.imageToScreen(pixel, CAMERA, view, BOX);
      const matching = vp.mapImagePoint(pixel, CAMERA, VARIANT, BOX);
      expectPoint(vp.imageToScreen(matching, VARIANT, view, BOX), onScreen.x, onScreen.y, 6);
    }
  });

  it('aligns a portrait variant with a landscape original by their centres', () => {
    expectPoint(vp.mapImagePoint({ x: 3000, y: 2000 }, CAMERA, PORTRAIT, BOX), 2000, 3000);
    const a = vp.imageScreenRect(CAMERA, vp.FIT_VIEW, BOX);
    const b = vp.imageScreenRect(PORTRAIT, vp.FIT_VIEW, BOX);
    expect(a.x + a.width / 2).toBeCloseTo(b.x + b.width / 2, 9);
    expect(a.y + a.height / 2).toBeCloseTo(b.y + b.height / 2, 9);
  });
});

describe('Z: fit and 100%', () => {
  it('goes from fit to 100% about the pointer, and back to fit', () => {
    const zoomed = vp.toggleFitAnd100(vp.FIT_VIEW, { x: 300, y: 200 }, BOX, [CAMERA]);
    expect(vp.percentForView(zoomed, BOX, [CAMERA])).toBeCloseTo(100, 9);
    expectPoint(vp.screenToImage({ x: 300, y: 200 }, CAMERA, zoomed, BOX), 1500, 1000);
    expect(vp.toggleFitAnd100(zoomed, { x: 300, y: 200 }, BOX, [CAMERA])).toEqual(vp.FIT_VIEW);
  });

  it('zooms about the centre when the pointer is elsewhere', () => {
    expect(vp.toggleFitAnd100(vp.FIT_VIEW, null, BOX, [CAMERA])).toEqual({ scale: 5, cx: 0.5, cy: 0.5 });
  });

  it('stays at fit when 100% would be smaller than fit', () => {
    expect(vp.toggleFitAnd100(vp.FIT_VIEW, null, BOX, [{ width: 600, height: 400 }])).toEqual(vp.FIT_VIEW);
  });
});

describe('carrying the view to another box size', () => {
  it('keeps the zoom percentage and the centred pixel when the stage splits into two panes', () => {
    const images = [CAMERA, VARIANT];
    const view = vp.zoomToPercent(vp.FIT_VIEW, 100, { x: 300, y: 200 }, BOX, images);
    const centred = vp.screenToImage(centreOf(BOX), CAMERA, view, BOX);
    const pane: Size = { width: 600, height: 800 };
    const carried = vp.resizeView(view, BOX, pane, images);
    expect(vp.percentForView(carried, pane, images)).toBeCloseTo(100, 6);
    expectPoint(vp.screenToImage(centreOf(pane), CAMERA, carried, pane), centred.x, centred.y, 6);
  });

  it('keeps fit as fit', () => {
    expect(vp.resizeView(vp.FIT_VIEW, BOX, { width: 600, height: 800 }, [CAMERA])).toEqual(vp.FIT_VIEW);
  });

  it('clamps a view that the new box can no longer hold', () => {
    // At 100% near the right edge; a wider box shows more, so the centre must move left to stay in bounds.
    const view = vp.panBy(vp.zoomToPercent(vp.FIT_VIEW, 100, centreOf(BOX), BOX, [CAMERA]), { x: -9999, y: 0 }, BOX, [
      CAMERA,
    ]);
    const wide: Size = { width: 2400, height: 800 };
    const carried = vp.resizeView(view, BOX, wide, [CAMERA]);
    const rect = vp.imageScreenRect(CAMERA, carried, wide);
    expect(vp.percentForView(carried, wide, [CAMERA])).toBeCloseTo(100, 6);
    expect(rect.x + rect.width).toBeCloseTo(2400, 6);
  });

  it('falls back to a clamped view when the old box was never measured', () => {
    const view: View = { scale: 3, cx: 0.5, cy: 0.5 };
    expect(vp.resizeView(view, { width: 0, height: 0 }, BOX, [CAMERA])).toEqual(view);
  });
});

describe('preview or full resolution', () => {
  it('sizes previews to a 2048 px long edge and leaves smaller images alone', () => {
    expect(vp.previewSize(CAMERA)).toEqual({ width: 2048, height: 1365 });
    expect(vp.previewSize(PORTRAIT)).toEqual({ width: 1365, height: 2048 });
    expect(vp.previewSize({ width: 1024, height: 768 })).toEqual({ width: 1024, height: 768 });
  });

  it('keeps the preview at fit and asks for the full image at 100%', () => {
    expect(vp.needsFullResolution(CAMERA, vp.FIT_VIEW, BOX)).toBe(false);
    expect(vp.needsFullResolution(CAMERA, { scale: 5, cx: 0.5, cy: 0.5 }, BOX)).toBe(true);
  });

  it('switches exactly where the drawn image outgrows the preview', () => {
    // Drawn 2000 px wide: the 2048 px preview still holds enough pixels.
    expect(vp.needsFullResolution(CAMERA, { scale: 2000 / 1200, cx: 0.5, cy: 0.5 }, BOX)).toBe(false);
    expect(vp.needsFullResolution(CAMERA, { scale: 2048 / 1200, cx: 0.5, cy: 0.5 }, BOX)).toBe(false);
    expect(vp.needsFullResolution(CAMERA, { scale: 2100 / 1200, cx: 0.5, cy: 0.5 }, BOX)).toBe(true);
  });

  it('needs the full image already at fit on a 2× display', () => {
    expect(vp.needsFullResolution(CAMERA, vp.FIT_VIEW, BOX, 2)).toBe(true);
  });

  it('never needs it for an image no larger than its preview', () => {
    expect(vp.needsFullResolution(VARIANT, { scale: 80, cx: 0.5, cy: 0.5 }, BOX, 2)).toBe(false);
    expect(vp.needsFullResolution({ width: 2048, height: 2048 }, { scale: 40, cx: 0.5, cy: 0.5 }, BOX)).toBe(false);
  });

  it('reports how many device pixels one image pixel covers', () => {
    expect(vp.magnification(CAMERA, vp.FIT_VIEW, BOX)).toBeCloseTo(0.2, 12);
    expect(vp.magnification(VARIANT, { scale: 5, cx: 0.5, cy: 0.5 }, BOX, 2)).toBeCloseTo((1200 / 2048) * 10, 12);
  });
});

describe('the loupe', () => {
  it('shows a 200×200 image-pixel square at 100% around the pixel under the pointer', () => {
    const source = vp.loupeSourceRect(centreOf(BOX), CAMERA, vp.FIT_VIEW, BOX, 200);
    expectRect(source, 2900, 1900, 200, 200);
    expectRect(vp.loupeBackground(source, CAMERA), -2900, -1900, 6000, 4000);
  });

  it('shows twice the image pixels in the same loupe on a 2× display, at half a CSS pixel each', () => {
    const source = vp.loupeSourceRect(centreOf(BOX), CAMERA, vp.FIT_VIEW, BOX, 200, 2);
    expectRect(source, 2800, 1800, 400, 400);
    expectRect(vp.loupeBackground(source, CAMERA, 2), -1400, -900, 3000, 2000);
  });

  it('reads the pixel under the pointer from whichever image is there, whatever the zoom', () => {
    const view = vp.zoomToPercent(vp.FIT_VIEW, 300, { x: 100, y: 100 }, BOX, [CAMERA, VARIANT]);
    const point = { x: 640, y: 410 };
    const original = vp.loupeSourceRect(point, CAMERA, view, BOX, 160);
    const variant = vp.loupeSourceRect(point, VARIANT, view, BOX, 160);
    const originalCentre = { x: original.x + 80, y: original.y + 80 };
    const variantCentre = { x: variant.x + 80, y: variant.y + 80 };
    const mapped = vp.mapImagePoint(originalCentre, CAMERA, VARIANT, BOX);
    expectPoint(variantCentre, mapped.x, mapped.y, 6);
  });

  it('reaches past the image edge rather than shifting the loupe off the pointer', () => {
    const source = vp.loupeSourceRect({ x: 0, y: 0 }, CAMERA, vp.FIT_VIEW, BOX, 200);
    expectRect(source, -100, -100, 200, 200);
  });

  it('tells whether a point is on an image (edges: left/top in, right/bottom out)', () => {
    const rect = vp.imageScreenRect(VARIANT, vp.FIT_VIEW, BOX);
    expect(vp.containsPoint(rect, { x: 600, y: 30 })).toBe(false);
    expect(vp.containsPoint(rect, { x: 0, y: 62.5 })).toBe(true);
    expect(vp.containsPoint(rect, { x: 1200, y: 400 })).toBe(false);
  });
});

describe('the wheel', () => {
  it('zooms in for wheel-up and out for wheel-down by the same ratio', () => {
    expect(vp.wheelZoomFactor(-100)).toBeCloseTo(Math.exp(0.2), 12);
    expect(vp.wheelZoomFactor(100)).toBeCloseTo(Math.exp(-0.2), 12);
    expect(vp.wheelZoomFactor(-100) * vp.wheelZoomFactor(100)).toBeCloseTo(1, 12);
  });

  it('turns line and page deltas into pixels', () => {
    expect(vp.wheelZoomFactor(3, 1)).toBeCloseTo(Math.exp(-0.096), 12);
    expect(vp.wheelZoomFactor(-0.25, 2)).toBeCloseTo(Math.exp(0.4), 12);
  });

  it('bounds a single event and ignores garbage', () => {
    expect(vp.wheelZoomFactor(-100_000)).toBe(2);
    expect(vp.wheelZoomFactor(100_000)).toBe(0.5);
    expect(vp.wheelZoomFactor(Number.NaN)).toBe(1);
    expect(vp.wheelZoomFactor(0)).toBe(1);
  });
});

describe('the slider divider', () => {
  it('follows the pointer as a percentage of the box', () => {
    expect(divider.dividerFromPointer(700, 100, 1200)).toBe(50);
    expect(divider.dividerFromPointer(400, 100, 1200)).toBe(25);
    expect(divider.dividerFromPointer(-50, 100, 1200)).toBe(0);
    expect(divider.dividerFromPointer(5000, 100, 1200)).toBe(100);
    expect(divider.dividerFromPointer(700, 100, 0)).toBe(50);
  });

  it('moves with the keyboard like an ARIA slider', () => {
    expect(divider.dividerAfterKey(50, 'ArrowLeft')).toBe(49);
    expect(divider.dividerAfterKey(50, 'ArrowRight')).toBe(51);
    expect(divider.dividerAfterKey(50, 'ArrowUp')).toBe(51);
    expect(divider.dividerAfterKey(50, 'ArrowDown')).toBe(49);
    expect(divider.dividerAfterKey(50, 'ArrowRight', true)).toBe(60);
    expect(divider.dividerAfterKey(50, 'PageDown')).toBe(40);
    expect(divider.dividerAfterKey(50, 'PageUp')).toBe(60);
    expect(divider.dividerAfterKey(37, 'Home')).toBe(0);
    expect(divider.dividerAfterKey(37, 'End')).toBe(100);
    expect(divider.dividerAfterKey(0.5, 'ArrowLeft')).toBe(0);
    expect(divider.dividerAfterKey(95, 'PageUp')).toBe(100);
    expect(divider.dividerAfterKey(50, 'Enter')).toBeNull();
  });

  it('clamps percentages', () => {
    expect(divider.clampPercent(-3)).toBe(0);
    expect(divider.clampPercent(140)).toBe(100);
    expect(divider.clampPercent(Number.NaN)).toBe(50);
  });
});

describe('modes and labels', () => {
  it('cycles slider → side by side → toggle → slider', () => {
    expect(vp.nextCompareMode('slider')).toBe('side-by-side');
    expect(vp.nextCompareMode('side-by-side')).toBe('toggle');
    expect(vp.nextCompareMode('toggle')).toBe('slider');
    let mode: vp.CompareMode = 'slider';
    for (let i = 0; i < vp.COMPARE_MODES.length; i += 1) mode = vp.nextCompareMode(mode);
    expect(mode).toBe('slider');
  });

  it('formats the zoom percentage', () => {
    expect(words.formatZoomPercent(20)).toBe('20%');
    expect(words.formatZoomPercent(99.6)).toBe('100%');
    expect(words.formatZoomPercent(6.6667)).toBe('6.7%');
    expect(words.formatZoomPercent(5)).toBe('5%');
    expect(words.formatZoomPercent(0)).toBe('–');
    expect(words.formatZoomPercent(Number.NaN)).toBe('–');
  });

  it('describes both sizes', () => {
    expect(words.describeSizes(CAMERA, VARIANT)).toBe('Before 6000×4000 · After 2048×1152');
  });
});
