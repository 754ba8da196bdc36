import type { Sharp } from 'sharp';
import { embedPngProfile } from './embed-profile';

/**
 * Decoded pixels whose colour profile must travel with them (a HEIC's, which libheif hands back
 * apart from the pixels): written once as an uncompressed PNG with the profile in an iCCP chunk, so
 * every pipeline made from it converts from that profile, exactly as for a JPEG that embeds one.
 */
export async function pngWithProfile(pixels: Sharp, profile: Buffer): Promise<Buffer> {
  return embedPngProfile(await pixels.png({ compressionLevel: 0, adaptiveFiltering: false }).toBuffer(), profile);
}
