import type { OverlayOptions } from 'sharp';
import { configureSharp } from '../imaging/sharp-config';
import { readRegularFile } from '../regular-file';
import type { AiDisclosure, Anchor, Watermark } from '../../../shared/export-preset';

/** What export draws on a picture: the watermark (text or PNG) and the AI disclosure label. */

const sharp = configureSharp();

/** Where an overlay of `inner` size goes in `outer`, `margin` pixels from the edges it is anchored to. */
export function placeOverlay(
  anchor: Anchor,
  outer: { width: number; height: number },
  inner: { width: number; height: number },
  margin: number,
): { left: number; top: number } {
  const column = anchor.endsWith('left') ? 0 : anchor.endsWith('right') ? 2 : 1;
  const row = anchor.startsWith('top') ? 0 : anchor.startsWith('bottom') ? 2 : 1;
  const along = (slot: number, space: number, size: number) =>
    slot === 0 ? margin : slot === 2 ? space - size - margin : Math.round((space - size) / 2);
  return {
    left: Math.max(0, Math.min(outer.width - inner.width, along(column, outer.width, inner.width))),
    top: Math.max(0, Math.min(outer.height - inner.height, along(row, outer.height, inner.height))),
  };
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.codePointAt(0)};`);
}

/** Widest SVG canvas we let librsvg draw a line of text on. */
const MAX_TEXT_CANVAS = 12_000;

/**
 * A line of text as a tightly cropped RGBA PNG, drawn by librsvg (fonts from the system through
 * fontconfig) at about `fontPx`, so it is scaled down, not up, to its final size.
 */
async function drawText(text: string, fontPx: number, style: 'outlined' | 'plain'): Promise<Buffer> {
  const characters = [...text].length;
  // A wide character (CJK) takes about one em; the canvas allows for that, and is cropped after.
  const size = Math.round(Math.max(24, Math.min(fontPx, MAX_TEXT_CANVAS / (1.1 * characters + 1), 1000)));
  const width = Math.ceil(size * (1.1 * characters + 1));
  const height = Math.ceil(size * 1.6);
  const stroke =
    style === 'outlined'
      ? ` stroke="rgba(0,0,0,0.55)" stroke-width="${(size * 0.05).toFixed(1)}" paint-order="stroke" stroke-linejoin="round"`
      : '';
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<text x="${Math.round(size * 0.5)}" y="${Math.round(size * 1.15)}" font-family="Helvetica Neue, Helvetica, Arial, DejaVu Sans, Noto Sans, sans-serif" ` +
    `font-size="${size}" fill="#ffffff"${stroke}>${escapeXml(text)}</text></svg>`;
  try {
    return await sharp(Buffer.from(svg)).trim().png().toBuffer();
  } catch (error) {
    // trim fails on an empty canvas: no installed font could draw any of the text.
    throw new Error(`No font on this computer could draw "${text}".`, { cause: error });
  }
}

/** Scales an overlay so its long side is `longSide` (but it fits `maxWidth` × `maxHeight`), and multiplies its alpha by `opacity`. */
async function fitOverlay(
  png: Buffer,
  target: { longSide: number; maxWidth: number; maxHeight: number },
  opacity: number,
): Promise<{ input: Buffer; width: number; height: number }> {
  const { width = 1, height = 1 } = await sharp(png).metadata();
  const scale = Math.min(target.longSide / Math.max(width, height), target.maxWidth / width, target.maxHeight / height);
  const outWidth = Math.max(1, Math.round(width * scale));
  const outHeight = Math.max(1, Math.round(height * scale));
  const input = await sharp(png)
    .ensureAlpha()
    .resize(outWidth, outHeight, { fit: 'fill' })
    .linear([1, 1, 1, opacity], [0, 0, 0, 0])
    .png()
    .toBuffer();
  return { input, width: outWidth, height: outHeight };
}

export class WatermarkUnreadable extends Error {}

/** A watermark is a logo, not a photo: a file larger than this is not one. */
const MAX_WATERMARK_BYTES = 50 * 1024 * 1024;

export async function watermarkOverlay(mark: Watermark, width: number, height: number): Promise<OverlayOptions> {
  const longEdge = Math.max(width, height);
  const margin = Math.round((mark.marginPct / 100) * longEdge);
  const longSide = Math.max(1, Math.round((mark.scalePct / 100) * longEdge));
  let png: Buffer;
  if (mark.kind === 'text') {
    const characters = [...mark.text].length;
    png = await drawText(mark.text, (longSide / Math.max(1, characters)) * 2, 'outlined');
  } else {
    try {
      png = await sharp(await readRegularFile(mark.pngPath, MAX_WATERMARK_BYTES))
        .png()
        .toBuffer();
    } catch (error) {
      throw new WatermarkUnreadable(`The watermark image ${mark.pngPath} cannot be read.`, { cause: error });
    }
  }
  const fitted = await fitOverlay(
    png,
    {
      longSide,
      maxWidth: Math.max(1, width - 2 * margin),
      maxHeight: Math.max(1, height - 2 * margin),
    },
    mark.opacity,
  );
  return { input: fitted.input, ...placeOverlay(mark.position, { width, height }, fitted, margin) };
}

/** The disclosure label: white text on a 60 % black box, legible on any photo, never covered by the watermark. */
export async function labelOverlay(
  label: NonNullable<AiDisclosure['label']>,
  width: number,
  height: number,
): Promise<OverlayOptions> {
  const textHeight = Math.max(6, Math.round((label.sizePct / 100) * Math.min(width, height)));
  const padding = Math.max(2, Math.round(textHeight * 0.45));
  const text = await drawText(label.text, textHeight * 1.6, 'plain');
  const fitted = await fitOverlay(
    text,
    {
      longSide: Number.POSITIVE_INFINITY,
      maxWidth: Math.max(1, width - 4 * padding),
      maxHeight: textHeight,
    },
    1,
  );
  const box = {
    width: Math.min(width, fitted.width + 2 * padding),
    height: Math.min(height, fitted.height + 2 * padding),
  };
  const input = await sharp({
    create: { ...box, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0.6 } },
  })
    .composite([{ input: fitted.input, left: padding, top: padding }])
    .png()
    .toBuffer();
  return { input, ...placeOverlay(label.position, { width, height }, box, padding) };
}
