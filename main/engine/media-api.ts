import { turnedContentKey } from './imaging/turn';
import fs from 'node:fs';
import type { Db } from './db/connection';
import { assetSource } from './db/asset-source-repo';
import { variantMediaType } from './db/variants-repo';
import { DERIVATIVE_SPECS, type DerivativeKind } from './imaging/derivative-cache';
import { isInside, originalMimeType, type MediaRequest, type ResolvedMedia } from './media';
import { variantFilePath } from './queue/output-store';

/** Answers media requests by id (see media.ts): the shells serve only the files this returns. */
export interface MediaResolver {
  resolve: (request: MediaRequest) => Promise<ResolvedMedia | null>;
}

/** What a stopped engine serves: nothing. */
export const NO_MEDIA: MediaResolver = { resolve: () => Promise.resolve(null) };

/**
 * The file behind a media id: an asset's thumbnail or preview (made again if the cache evicted
 * it), its original inside its hot folder, or a variant's output inside the media root.
 */
export class LibraryMedia implements MediaResolver {
  constructor(
    private readonly db: Db,
    private readonly mediaRoot: string,
    private readonly derivative: (assetId: string, kind: DerivativeKind) => Promise<string | null>,
  ) {}

  async resolve(request: MediaRequest): Promise<ResolvedMedia | null> {
    const { db } = this;
    if (request.kind === 'variant') {
      const mimeType = variantMediaType(db, request.id);
      if (!mimeType) return null;
      const file = variantFilePath(this.mediaRoot, request.id, mimeType);
      return isInside(this.mediaRoot, file) && fs.existsSync(file) ? { file, mimeType, etag: request.id } : null;
    }
    const source = assetSource(db, request.id);
    if (!source) return null;
    if (request.kind === 'original') {
      const { file, folderPath } = source;
      // Only what ingest recognised as a picture by its content: a hot folder may hold anything.
      if (source.format === null) return null;
      if (!file || !folderPath || !isInside(folderPath, file) || !fs.existsSync(file)) return null;
      return { file, mimeType: originalMimeType(source.format), etag: source.contentHash };
    }
    const file = await this.derivative(request.id, request.kind);
    if (!file) return null;
    // By the turned content: a photo turned since the browser cached it is fetched again, not answered 304.
    const key = turnedContentKey(source.contentHash, source.turn);
    return { file, mimeType: DERIVATIVE_SPECS[request.kind].mimeType, etag: `${key}-${request.kind}` };
  }
}
