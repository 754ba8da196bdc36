import { runOpenCv } from '../../opencv-worker';

/**
 * Inpainting (OpenCV.js: Telea's fast marching method or Navier–Stokes) in a worker thread (see
 * opencv-worker.ts): a large region takes a while, and a cancel stops it mid-fill.
 */
export interface InpaintRequest {
  width: number;
  height: number;
  /** RGB, 8 bits per channel. */
  rgb: Uint8Array;
  /** 0 keep, anything else fill. */
  mask: Uint8Array;
  radius: number;
  method: 'telea' | 'navier_stokes';
}

const INPAINT = `async (cv, request) => {
  const source = cv.matFromArray(request.height, request.width, cv.CV_8UC3, request.rgb);
  const mask = cv.matFromArray(request.height, request.width, cv.CV_8UC1, request.mask);
  const result = new cv.Mat();
  try {
    cv.inpaint(source, mask, result, request.radius, request.method === 'telea' ? cv.INPAINT_TELEA : cv.INPAINT_NS);
    const rgb = new Uint8Array(result.data);
    return { reply: rgb, transfer: [rgb.buffer] };
  } finally {
    source.delete();
    mask.delete();
    result.delete();
  }
}`;

export function inpaint(request: InpaintRequest, signal: AbortSignal): Promise<Uint8Array> {
  return runOpenCv<InpaintRequest, Uint8Array>(INPAINT, request, signal, 'Spot removal');
}
