/**
 * Why a photo cannot be used, in words a photographer understands. The kinds are stored with the
 * asset; the messages are what the shoot view shows next to it.
 */
export const PHOTO_ERROR_KINDS = [
  'empty',
  'not_an_image',
  'truncated',
  'corrupt',
  'too_large',
  'unsupported_format',
] as const;
export type PhotoErrorKind = (typeof PHOTO_ERROR_KINDS)[number];

export interface PhotoError {
  kind: PhotoErrorKind;
  /** What happened and what to do, in plain sentences: shown to the user, never a decoder's words. */
  message: string;
  /** What the decoder or the check said (a marker, a Huffman code…): for the log, never the UI. */
  detail?: string;
}

export const TRUNCATED_MESSAGE = 'The file ends early — it may still be copying, or the card read failed.';

export function truncated(detail?: string): PhotoError {
  return { kind: 'truncated', message: detail ? `${TRUNCATED_MESSAGE} (${detail})` : TRUNCATED_MESSAGE };
}

export function corrupt(detail: string): PhotoError {
  return {
    kind: 'corrupt',
    message:
      'The image data is damaged, so parts of the photo would show as garbage. Copy it again from the card or camera.',
    detail,
  };
}

export function tooLarge(width: number, height: number, limitPixels: number): PhotoError {
  const megapixels = (pixels: number): string => `${Math.round(pixels / 1_000_000)} MP`;
  return {
    kind: 'too_large',
    message: `${width}×${height} = ${megapixels(width * height)} exceeds the ${megapixels(limitPixels)} limit.`,
  };
}

export function unsupported(message: string, detail?: string): PhotoError {
  return { kind: 'unsupported_format', message, ...(detail ? { detail } : {}) };
}

/**
 * Maps a decoder's error text to a kind. The decoders' words differ (libjpeg "premature end",
 * libpng "IDAT stream error", libtiff "Read error"), so several spellings lead to each kind;
 * anything not recognised is reported as damage with the decoder's own words kept as detail.
 */
export function classifyDecoderError(error: unknown): PhotoError {
  const text = error instanceof Error ? error.message : String(error);
  const firstLine = (text.split('\n').find((line) => line.trim() !== '') ?? text).trim();
  if (/premature end|unexpected end|truncated|not enough data|end of (file|stream)|short read|read error/i.test(text)) {
    return truncated();
  }
  if (/exceeds pixel limit/i.test(text)) {
    return { kind: 'too_large', message: 'The image is larger than the 268 MP Shootline can open.' };
  }
  if (/unsupported image format|not a known file format/i.test(text)) {
    return {
      kind: 'not_an_image',
      message: 'The file starts like an image but its content cannot be read as one.',
    };
  }
  if (/compression format has not been built in|no decoder|unsupported/i.test(text)) {
    return unsupported(
      'This image is stored in a way Shootline cannot decode. Save it again as JPEG, TIFF or PNG.',
      firstLine,
    );
  }
  return corrupt(firstLine.replace(/^[A-Za-z]+(Jpeg|Png|Tiff|Webp|Heif)?:\s*/, '').slice(0, 160) || 'unreadable');
}
