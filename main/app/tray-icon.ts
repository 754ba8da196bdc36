/**
 * The tray icon, drawn in code as raw BGRA pixels (what nativeImage.createFromBitmap takes), so
 * nothing but the bundle has to ship: a ring like a lens, and an orange dot at its top right when
 * something needs the user. On macOS the plain ring is a template image (black, the OS tints it).
 */
export interface TrayIconOptions {
  /** Edge in pixels (32 for a 16-point icon at 2×). */
  size: number;
  attention: boolean;
  /** macOS: black with alpha only, for a template image. */
  template: boolean;
}

type Rgba = readonly [number, number, number, number];

const RING: Rgba = [232, 232, 232, 255];
const RING_TEMPLATE: Rgba = [0, 0, 0, 255];
const OUTLINE: Rgba = [40, 40, 40, 200];
const DOT: Rgba = [255, 159, 10, 255];

export function trayIconBitmap({ size, attention, template }: TrayIconOptions): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  const centre = (size - 1) / 2;
  const outer = size * 0.44;
  const inner = size * 0.26;
  const dotCentre = size * 0.8;
  const dotRadius = size * 0.2;
  const put = (offset: number, [r, g, b, a]: Rgba): void => {
    // BGRA, as Electron's bitmaps are laid out.
    pixels[offset] = b;
    pixels[offset + 1] = g;
    pixels[offset + 2] = r;
    pixels[offset + 3] = a;
  };
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const offset = (y * size + x) * 4;
      const fromCentre = Math.hypot(x - centre, y - centre);
      const fromDot = Math.hypot(x - dotCentre, y - (size - 1 - dotCentre));
      if (attention && fromDot <= dotRadius) put(offset, DOT);
      else if (attention && fromDot <= dotRadius + 1)
        continue; // a gap so the dot reads apart from the ring
      else if (fromCentre <= outer && fromCentre >= inner) put(offset, template ? RING_TEMPLATE : RING);
      else if (!template && fromCentre <= outer + 1 && fromCentre >= inner - 1) put(offset, OUTLINE);
    }
  }
  return pixels;
}
