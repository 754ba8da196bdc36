import { runOpenCv } from '../opencv-worker';

/** A rectangle in the picture's pixels. */
export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface EdgeRefineRequest {
  width: number;
  height: number;
  /** The picture, RGB, 8 bits per channel. */
  rgb: Uint8Array;
  /** Where the object lies: everything outside it is background. Null: anywhere. */
  box: PixelBox | null;
  /** A rough selection (0–255, at least half: probably the object), or null to start from the box alone. */
  rough: Uint8Array | null;
  iterations: number;
}

/**
 * GrabCut (OpenCV.js) in a worker: from a box and/or a rough selection, the selection snapped to
 * the object's borders. It models the colours of object and background and prefers cuts along
 * edges, so an object that shares colours with its ground is still told apart where a colour
 * threshold cannot. Answers 255 for selected pixels, 0 elsewhere.
 */
const GRABCUT = `async (cv, request) => {
  const { width, height, box, rough } = request;
  const image = cv.matFromArray(height, width, cv.CV_8UC3, request.rgb);
  const mask = new cv.Mat(height, width, cv.CV_8UC1, new cv.Scalar(cv.GC_BGD));
  const background = new cv.Mat();
  const foreground = new cv.Mat();
  const rect = box ? new cv.Rect(box.x, box.y, box.width, box.height) : new cv.Rect(0, 0, width, height);
  try {
    if (rough) {
      const labels = mask.data;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const inside = !box || (x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height);
          const index = y * width + x;
          labels[index] = !inside ? cv.GC_BGD : rough[index] >= 128 ? cv.GC_PR_FGD : cv.GC_PR_BGD;
        }
      }
    }
    cv.grabCut(image, mask, rect, background, foreground, request.iterations, rough ? cv.GC_INIT_WITH_MASK : cv.GC_INIT_WITH_RECT);
    const labels = mask.data;
    const selected = new Uint8Array(width * height);
    for (let index = 0; index < selected.length; index++) {
      const label = labels[index];
      selected[index] = label === cv.GC_FGD || label === cv.GC_PR_FGD ? 255 : 0;
    }
    return { reply: selected, transfer: [selected.buffer] };
  } finally {
    image.delete();
    mask.delete();
    background.delete();
    foreground.delete();
  }
}`;

export function refineToEdges(request: EdgeRefineRequest, signal: AbortSignal): Promise<Uint8Array> {
  return runOpenCv<EdgeRefineRequest, Uint8Array>(GRABCUT, request, signal, 'Refining to edges');
}

/**
 * Pixels whose colour lies within `tolerance` (0–1 of the largest RGB distance) of the one at
 * `point`: all of them, or only those connected to it (`contiguous`), within `box` if given.
 * Answers 255 for selected pixels. Plain code: one pass, or one flood fill.
 */
export function selectColour(
  image: { width: number; height: number; rgb: Uint8Array },
  point: { x: number; y: number },
  tolerance: number,
  contiguous: boolean,
  box: PixelBox | null = null,
): Uint8Array {
  const { width, height, rgb } = image;
  const selected = new Uint8Array(width * height);
  const px = Math.min(width - 1, Math.max(0, Math.floor(point.x)));
  const py = Math.min(height - 1, Math.max(0, Math.floor(point.y)));
  const at = (py * width + px) * 3;
  const [r, g, b] = [rgb[at] ?? 0, rgb[at + 1] ?? 0, rgb[at + 2] ?? 0];
  const limit = (tolerance * Math.sqrt(3 * 255 * 255)) ** 2;
  const within = (index: number): boolean => {
    const x = index % width;
    const y = Math.floor(index / width);
    if (box && (x < box.x || x >= box.x + box.width || y < box.y || y >= box.y + box.height)) return false;
    const dr = (rgb[index * 3] ?? 0) - r;
    const dg = (rgb[index * 3 + 1] ?? 0) - g;
    const db = (rgb[index * 3 + 2] ?? 0) - b;
    return dr * dr + dg * dg + db * db <= limit;
  };
  if (!contiguous) {
    for (let index = 0; index < selected.length; index++) if (within(index)) selected[index] = 255;
    return selected;
  }
  // Each pixel is marked when it is pushed, so the stack never holds more than the picture's pixels.
  const stack = new Int32Array(width * height);
  let size = 0;
  const visit = (index: number): void => {
    if (selected[index] === 255 || !within(index)) return;
    selected[index] = 255;
    stack[size++] = index;
  };
  visit(py * width + px);
  while (size > 0) {
    const index = stack[--size] ?? 0;
    const x = index % width;
    if (x > 0) visit(index - 1);
    if (x < width - 1) visit(index + 1);
    if (index >= width) visit(index - width);
    if (index + width < selected.length) visit(index + width);
  }
  return selected;
}
