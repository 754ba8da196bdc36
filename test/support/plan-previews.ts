/**
 * Made-up analysis previews for the enhance plan's tests: small RGB images of the kinds of photo
 * the plan treats differently, from a fixed pseudo-random sequence so every run makes the same bytes.
 */
export const PREVIEW_KINDS = ['fog-with-cast', 'dark-warm', 'bright', 'full-range-neutral', 'blue-cast-greys'] as const;
export type PreviewKind = (typeof PREVIEW_KINDS)[number];

interface Look {
  /** Darkest value and spread of the values (before the cast). */
  base: number;
  span: number;
  /** Added to red, green and blue. */
  cast: [number, number, number];
  /** How far a pixel's channels may drift apart (0: grey pixels). */
  colour: number;
}

const LOOKS: Record<PreviewKind, Look> = {
  'fog-with-cast': { base: 105, span: 70, cast: [22, 6, -18], colour: 25 },
  'dark-warm': { base: 8, span: 80, cast: [10, 2, -6], colour: 30 },
  bright: { base: 150, span: 100, cast: [0, 0, 0], colour: 40 },
  'full-range-neutral': { base: 0, span: 255, cast: [0, 0, 0], colour: 0 },
  'blue-cast-greys': { base: 60, span: 150, cast: [-14, -2, 24], colour: 10 },
};

export function planPreview(kind: PreviewKind, width = 120, height = 80): Uint8Array {
  const look = LOOKS[kind];
  let seed = 12345 + PREVIEW_KINDS.indexOf(kind);
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const bytes = new Uint8Array(width * height * 3);
  for (let pixel = 0; pixel < width * height; pixel += 1) {
    // A gradient across the image plus noise, so the histograms have shape.
    const level = look.base + look.span * (0.7 * ((pixel % width) / width) + 0.3 * next());
    for (let channel = 0; channel < 3; channel += 1) {
      const value = level + look.cast[channel]! + look.colour * (next() - 0.5);
      bytes[pixel * 3 + channel] = Math.max(0, Math.min(255, Math.round(value)));
    }
  }
  return bytes;
}
