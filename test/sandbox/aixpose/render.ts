import sharp from 'sharp';
import { type AspectRatio, aspectRatioValue, RESOLUTION_LONG_EDGE, type Resolution } from './catalog';
import { muxH264Mp4 } from '../video/mp4';
import { sha256 } from './util';

/**
 * Outputs are real images made from the uploaded photo (oriented, cropped to the aspect ratio,
 * resized to the resolution, visibly changed), so a client's download checks, dimension handling
 * and previews are exercised by real bytes, and two variants of one request differ.
 */

export interface RenderSpec {
  aspectRatio: AspectRatio;
  resolution: Resolution;
  subversion: number;
  /** Preset action ids (quick actions already expanded); empty for prompts and consistency. */
  actions: readonly string[];
  /** Any text that should tint the result (a prompt, a reference picture id). */
  seed: string;
  maxPixels: number;
}

/** Width and height after EXIF orientation is applied. */
export async function orientedSize(
  input: Buffer,
  maxPixels: number,
): Promise<{ width: number; height: number; format: string }> {
  const meta = await sharp(input, { limitInputPixels: maxPixels }).metadata();
  const width = meta.width;
  const height = meta.height;
  const swap = (meta.orientation ?? 1) >= 5;
  return { width: swap ? height : width, height: swap ? width : height, format: meta.format };
}

export function outputSize(aspectRatio: AspectRatio, resolution: Resolution): { width: number; height: number } {
  const longEdge = RESOLUTION_LONG_EDGE[resolution];
  const ratio = aspectRatioValue(aspectRatio);
  return ratio >= 1
    ? { width: longEdge, height: Math.max(1, Math.round(longEdge / ratio)) }
    : { width: Math.max(1, Math.round(longEdge * ratio)), height: longEdge };
}

export async function renderPicture(input: Buffer, spec: RenderSpec): Promise<Buffer> {
  const size = outputSize(spec.aspectRatio, spec.resolution);
  // A stable per-request tint, so outputs of different instructions look different.
  const tint = parseInt(sha256(`${spec.actions.join(',')}|${spec.seed}`).slice(0, 4), 16) % 40;
  const declutter = spec.actions.some((action) => action.includes('declutter'));
  let image = sharp(input, { failOn: 'error', limitInputPixels: spec.maxPixels })
    .rotate()
    .resize(size.width, size.height, { fit: 'cover', position: 'centre' })
    .modulate({ brightness: 1.12 + 0.03 * spec.subversion, saturation: 1.1, hue: tint + 12 * spec.subversion });
  if (declutter) image = image.blur(0.8);
  if (spec.subversion % 2 === 1) image = image.flop();
  return image.jpeg({ quality: 85 }).toBuffer();
}

export const VIDEO_FPS = 4;
const FRAMES_PER_PICTURE = 8;
/**
 * The reel's long edge: its frames are stored uncompressed (I_PCM H.264, see ../video/h264.ts), so
 * a small one keeps a 20-picture reel near 30 MB.
 */
const VIDEO_LONG_EDGE = 480;

/** A short reel: a slow zoom over each picture in turn, H.264 in MP4, two seconds a picture. */
export async function renderVideo(
  pictures: readonly Buffer[],
  aspectRatio: AspectRatio,
  maxPixels: number,
): Promise<{ bytes: Buffer; width: number; height: number; durationSeconds: number }> {
  const ratio = aspectRatioValue(aspectRatio);
  // Even dimensions: players and encoders downstream expect them for 4:2:0 video.
  const even = (value: number) => Math.max(2, Math.round(value / 2) * 2);
  const width = even(ratio >= 1 ? VIDEO_LONG_EDGE : VIDEO_LONG_EDGE * ratio);
  const height = even(ratio >= 1 ? VIDEO_LONG_EDGE / ratio : VIDEO_LONG_EDGE);
  const frames: Buffer[] = [];
  for (const picture of pictures) {
    for (let index = 0; index < FRAMES_PER_PICTURE; index += 1) {
      const zoom = 1 + 0.02 * index;
      const zoomedWidth = Math.round(width * zoom);
      const zoomedHeight = Math.round(height * zoom);
      const frame = await sharp(picture, { failOn: 'error', limitInputPixels: maxPixels })
        .rotate()
        .resize(zoomedWidth, zoomedHeight, { fit: 'cover' })
        .extract({
          left: Math.floor((zoomedWidth - width) / 2),
          top: Math.floor((zoomedHeight - height) / 2),
          width,
          height,
        })
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer();
      frames.push(frame);
    }
  }
  return {
    bytes: muxH264Mp4(frames, width, height, VIDEO_FPS),
    width,
    height,
    durationSeconds: frames.length / VIDEO_FPS,
  };
}
