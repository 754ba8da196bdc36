import sharp from 'sharp';

/*
 * The try-on mask as AuraX gets it, decided in this one place. The doc says only "Base64 encoded
 * mask of the garment area in the person image": we send a grayscale PNG at exactly the size the
 * person photo is sent at, white where the garment goes and black where the person stays (the
 * polarity the mask editor paints: painted = selected). docs/providers/aurax.md lists the readings.
 */

/** White is the garment area. Flip here (and only here) if AuraX turns out to mean the opposite. */
export const GARMENT_AREA_IS_WHITE = true;

/** A rendered mask (0 = untouched … 255 = selected, as the mask renderer gives it) as the base64 PNG AuraX is sent. */
export async function maskForAurax(pixels: Uint8Array, width: number, height: number): Promise<string> {
  const values = GARMENT_AREA_IS_WHITE ? Buffer.from(pixels) : Buffer.from(pixels.map((value) => 255 - value));
  const png = await sharp(values, { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
  return png.toString('base64');
}
