import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { isLoopbackHost } from '../net/network';
import { MAX_PRESIGN_SECONDS, S3Client, S3StorageError } from './s3-client';

/**
 * Staging storage: some cloud providers (ProductAI) take only a public image URL, never an upload.
 * Shootline puts the image in an S3-compatible bucket the user owns and hands the provider a
 * presigned GET link, so the bucket itself stays private and every link expires.
 */

/** The message shown when a URL-only provider is used and no staging storage is set up. */
export function stagingMissingMessage(providerName: string): string {
  return `${providerName} needs a public image URL: set up staging storage in Settings`;
}

// S3's own bucket rule (3–63 lower-case letters, digits, dots and hyphens, starting and ending
// with a letter or digit); a stricter store will say so through the access check.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// Characters S3 documents as safe in keys; a prefix is a folder-like start of every key.
const PREFIX = /^(?!\/)(?!.*\/\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9!_.*'()/-]{0,200}$/;

export const StagingSettingsSchema = z.object({
  endpoint: z
    .url({ protocol: /^https?$/, message: 'The endpoint must be an http:// or https:// address' })
    .refine((value) => {
      // Zod runs this check even after the URL check failed; that failure already says enough.
      if (!URL.canParse(value)) return true;
      const url = new URL(value);
      return !url.username && !url.password && !url.search && !url.hash;
    }, 'The endpoint must not contain a user name, password, query or fragment')
    .refine((value) => {
      const url = URL.parse(value);
      return url === null || url.protocol === 'https:' || isLoopbackHost(url.hostname);
    }, 'Use an https:// endpoint; plain http:// is only for a store on this machine'),
  // us-east-1 is what MinIO and most S3 look-alikes expect when they ignore regions.
  region: z.string().trim().min(1).max(64).default('us-east-1'),
  bucket: z.string().regex(BUCKET_NAME, 'Not a valid bucket name'),
  prefix: z.string().regex(PREFIX, 'Not a valid key prefix').default('shootline/'),
  accessKeyId: z.string().trim().min(1, 'The access key ID is required'),
  secretAccessKey: z.string().min(1, 'The secret access key is required'),
  // Long enough for a provider's queue to reach the image, short enough that a leaked link dies.
  urlExpirySeconds: z.number().int().min(300).max(MAX_PRESIGN_SECONDS).default(3600),
  /** Delete staged images when their job ends. */
  cleanup: z.boolean().default(true),
  addressing: z.enum(['path', 'virtual']).default('path'),
});

export type StagingSettings = z.output<typeof StagingSettingsSchema>;
export type StagingSettingsInput = z.input<typeof StagingSettingsSchema>;

export interface StagedImage {
  key: string;
  /** A presigned GET link the provider can fetch with no credentials. */
  url: string;
  /** When `url` stops working, in ms since the epoch. */
  expiresAt: number;
  /** False when the same content was already in the bucket and the upload was skipped. */
  uploaded: boolean;
}

export interface StagingOptions {
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/webp': '.webp',
  'image/gif': '.gif',
  'image/tiff': '.tif',
  'image/heic': '.heic',
  'image/heif': '.heif',
  'image/avif': '.avif',
};

export class Staging {
  readonly settings: Omit<StagingSettings, 'secretAccessKey'>;
  readonly #client: S3Client;
  readonly #now: () => number;

  constructor(input: StagingSettingsInput, options: StagingOptions = {}) {
    const parsed = StagingSettingsSchema.parse(input);
    const { secretAccessKey, ...visible } = parsed;
    // Kept without the secret, so code that shows or logs the settings cannot leak it.
    this.settings = visible;
    this.#now = options.now ?? Date.now;
    this.#client = new S3Client({
      endpoint: parsed.endpoint,
      region: parsed.region,
      bucket: parsed.bucket,
      accessKeyId: parsed.accessKeyId,
      secretAccessKey,
      addressing: parsed.addressing,
      fetch: options.fetch,
      now: this.#now,
      timeoutMs: options.timeoutMs,
    });
  }

  /** The key an image is stored under: content-addressed, so one image is stored once. */
  keyFor(contentHash: string, contentType: string): string {
    // The hash becomes part of a URL path: only a plain token is accepted, never slashes or dots.
    if (!/^[A-Za-z0-9_-]{8,128}$/.test(contentHash)) throw new Error(`Not a content hash: ${contentHash}`);
    const extension = EXTENSIONS[contentType.split(';')[0]?.trim().toLowerCase() ?? ''] ?? '.bin';
    return `${this.settings.prefix}${contentHash}${extension}`;
  }

  /**
   * Puts the image in the bucket unless it is already there (the same content under the same
   * hash), then signs a fresh link: a link from an earlier stage may be close to expiring.
   */
  async stage(contentHash: string, bytes: Uint8Array, contentType: string): Promise<StagedImage> {
    const key = this.keyFor(contentHash, contentType);
    const uploaded = !(await this.#alreadyStored(key, bytes.byteLength));
    if (uploaded) await this.#client.putObject(key, bytes, contentType);
    const signedAt = this.#now();
    const url = this.#client.presignGet(key, this.settings.urlExpirySeconds, signedAt);
    // SigV4 dates have whole seconds, so the link dies up to a second before signedAt + expiry.
    const expiresAt = Math.floor(signedAt / 1000) * 1000 + this.settings.urlExpirySeconds * 1000;
    return { key, url, expiresAt, uploaded };
  }

  /** Deletes a staged image; used when a job ends and cleanup is on. Deleting twice is fine. */
  async release(key: string): Promise<void> {
    // Only our own staged objects: a bug elsewhere must never delete the user's other files.
    const prefix = this.settings.prefix;
    if (!key.startsWith(prefix) || key.length === prefix.length || key.slice(prefix.length).includes('/')) {
      throw new Error(`Not a staged image key: ${key}`);
    }
    await this.#client.deleteObject(key);
  }

  /** The "Test" button in Settings: upload, read back through a signed link, delete. */
  async test(): Promise<{ ok: boolean; message: string }> {
    const { bucket } = this.settings;
    try {
      await this.#client.checkAccess(`${this.settings.prefix}shootline-check-${randomUUID()}.txt`);
      return {
        ok: true,
        message: `Staging works: a test file was uploaded to bucket '${bucket}', read back through a signed link and deleted.`,
      };
    } catch (error) {
      if (error instanceof S3StorageError) return { ok: false, message: error.message };
      // Not a storage answer (a bug, or a link that could not be signed): say so without details
      // that could carry request internals.
      return { ok: false, message: `The staging check failed unexpectedly (${errorName(error)}).` };
    }
  }

  async #alreadyStored(key: string, size: number): Promise<boolean> {
    try {
      const head = await this.#client.headObject(key);
      // A different size means a damaged or partial earlier upload: upload again over it.
      return head.exists && (head.size === null || head.size === size);
    } catch (error) {
      // AWS answers HEAD of a missing object with 403 when the key may not list the bucket; the
      // upload then either works or fails with a clear message of its own.
      if (error instanceof S3StorageError && error.status === 403) return false;
      throw error;
    }
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
