import { MetadataCarrier } from './carry-metadata';
import { PhotoDecoder } from './decode';
import { HeicDecoder } from './heic';
import { isTiffBasedRaw, RawPreviewExtractor } from './raw-preview';

/**
 * The engine's photo tools, which hold helper processes (the HEIC decoder's worker, exiftool for
 * RAW previews and for carrying metadata) and so are made once and ended once: the decoder every
 * photo is opened with, and the carrier that copies a photo's metadata onto its results.
 */
export class Imaging {
  readonly decoder: PhotoDecoder;
  readonly carrier = new MetadataCarrier();
  private readonly heic = new HeicDecoder();
  private readonly raw = new RawPreviewExtractor();

  /** `tempDir`: where RAW previews are extracted to (each removed right after use). */
  constructor(tempDir: string) {
    this.decoder = new PhotoDecoder({
      heic: this.heic,
      raw: this.raw,
      tempDir,
      isTiffRaw: async (file) => (await isTiffBasedRaw(file)).raw,
    });
  }

  async end(): Promise<void> {
    await Promise.allSettled([this.heic.close(), this.raw.end(), this.carrier.end()]);
  }
}
