import os from 'node:os';
import sharp from 'sharp';

/**
 * How many photos are decoded at once. libvips is told to use one thread per image and we run one
 * image per core instead: on a 2-core laptop two photos in flight keep both cores busy without the
 * two pipelines fighting over them, which is faster than one image on two threads (most of a
 * decode is the single-threaded JPEG entropy step).
 */
export const IMAGE_PARALLELISM = Math.max(1, Math.min(4, os.availableParallelism()));

let configured = false;

/**
 * Sets sharp up once for the engine. The libvips operation cache is off: every photo is decoded
 * once per derivative pass, so cached operations would only hold memory (and, on Windows, file
 * handles of photos the user may want to move).
 */
export function configureSharp(): typeof sharp {
  if (!configured) {
    sharp.cache(false);
    sharp.concurrency(1);
    configured = true;
  }
  return sharp;
}

/** sharp's own default pixel limit (16383 × 16383 ≈ 268 MP); bigger images are refused before decoding. */
export const MAX_INPUT_PIXELS = 268_402_689;
/** Photo files larger than this are refused before they are read (they would not fit in memory twice over). */
export const MAX_PHOTO_FILE_BYTES = 2 * 1024 ** 3;
