import { clampView, fitScale, referenceIndex, type Size, type View } from './viewport';

/**
 * Side by side, each pane shows its own image at the shared zoom percentage, so at 100% both are
 * 1:1 with the screen even when a variant has another size than its source (a 2× upscale is not
 * compared against its source blown up 2×). Never below fit; the pan centre is shared, so both
 * panes show the same part of the picture. The slider and the toggle keep one shared frame: they
 * lay one image over the other, which needs them the same size on screen.
 */
export function ownPixelsView(view: View, image: Size, images: readonly Size[], box: Size, pixelRatio = 1): View {
  const reference = images[referenceIndex(images, box)];
  const own = fitScale(image, box);
  if (!reference || own <= 0) return view;
  const scale = Math.max(1, (view.scale * fitScale(reference, box)) / own);
  return clampView({ ...view, scale }, box, [image], pixelRatio);
}
