import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { ADOBE_RGB_PROFILE } from '../../main/engine/imaging/adobe-rgb';
import { embedJpegProfile, embedPngProfile, srgbProfile } from '../../main/engine/imaging/embed-profile';

const pixels = (): Sharp =>
  sharp({ create: { width: 8, height: 6, channels: 3, background: { r: 200, g: 120, b: 40 } } });

describe('colour profiles written into encoded files', () => {
  it('reads back the sRGB profile libvips attaches, once', async () => {
    const profile = await srgbProfile();
    expect(profile.subarray(36, 40).toString('latin1')).toBe('acsp');
    expect(await srgbProfile()).toBe(profile);
  });

  it('puts the profile into a JPEG after its EXIF segment, pixels untouched', async () => {
    const jpeg = await pixels()
      .withExif({ IFD0: { Make: 'Pentax' } })
      .jpeg()
      .toBuffer();
    const embedded = embedJpegProfile(jpeg, ADOBE_RGB_PROFILE);
    const metadata = await sharp(embedded).metadata();
    expect(metadata.icc?.equals(ADOBE_RGB_PROFILE)).toBe(true);
    expect(metadata.exif).toBeDefined();
    expect(await sharp(embedded, { ignoreIcc: true }).raw().toBuffer()).toEqual(await sharp(jpeg).raw().toBuffer());
  });

  it('splits a profile too long for one JPEG segment into numbered segments', async () => {
    const profile = Buffer.alloc(150_000);
    ADOBE_RGB_PROFILE.copy(profile);
    profile.writeUInt32BE(profile.length, 0);
    const embedded = embedJpegProfile(await pixels().jpeg().toBuffer(), profile);
    const marker = Buffer.from('ICC_PROFILE\0', 'latin1');
    const sequence: number[] = [];
    for (let at = embedded.indexOf(marker); at >= 0; at = embedded.indexOf(marker, at + 1)) {
      sequence.push(embedded[at + marker.length] ?? 0, embedded[at + marker.length + 1] ?? 0);
    }
    expect(sequence).toEqual([1, 3, 2, 3, 3, 3]);
  });

  it('puts the profile into a PNG as iCCP before the pixels', async () => {
    const png = await pixels().png().toBuffer();
    const embedded = embedPngProfile(png, ADOBE_RGB_PROFILE);
    expect((await sharp(embedded).metadata()).icc?.equals(ADOBE_RGB_PROFILE)).toBe(true);
    expect(embedded.indexOf('iCCP')).toBeLessThan(embedded.indexOf('IDAT'));
    expect(await sharp(embedded, { ignoreIcc: true }).raw().toBuffer()).toEqual(await sharp(png).raw().toBuffer());
  });
});
