import { createHash, randomUUID } from 'node:crypto';
import aws4 from 'aws4';
import { amzDate, discard, duration, encodeRfc3986, networkReason, readCapped, xmlField } from './s3-wire';

/**
 * A deliberately small S3 client: the four calls staging needs, on Node's own fetch, signed with
 * SigV4 by `aws4`. The full AWS SDK would add megabytes to the app for the same four calls, and
 * every S3-compatible store (AWS, MinIO, Cloudflare R2, Backblaze B2, Wasabi, s3rver) speaks them.
 *
 * Path-style addressing (`https://host/bucket/key`) is the default because MinIO and s3rver need
 * it and AWS still accepts it; virtual-hosted (`https://bucket.host/key`) is there for stores that
 * accept only that.
 *
 * Every failure becomes an `S3StorageError` whose message a photographer's assistant can act on.
 * The secret key is held in a private field (so `util.inspect` and loggers cannot print it) and
 * scrubbed from every message, in case a server ever echoes it back.
 */

export type S3Addressing = 'path' | 'virtual';

export interface S3ClientOptions {
  /** The store's address, e.g. `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:9000`. */
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  addressing?: S3Addressing;
  /** Per request, body included. */
  timeoutMs?: number;
  /** Injected by tests (to count requests); Node's global fetch otherwise. */
  fetch?: typeof fetch;
  /** The clock used to sign, in ms since the epoch. */
  now?: () => number;
}

export interface HeadResult {
  exists: boolean;
  /** Bytes, from Content-Length; null when the object does not exist or the store did not say. */
  size: number | null;
}

export type S3Operation = 'put' | 'head' | 'delete' | 'get';
export type S3FailureKind = 'http' | 'redirect' | 'network' | 'timeout' | 'invalid_response';

/** A failed storage call. Carries no request, headers or credentials: only what the UI and logs need. */
export class S3StorageError extends Error {
  override readonly name = 'S3StorageError';
  readonly kind: S3FailureKind;
  readonly operation: S3Operation;
  /** HTTP status, when the store answered. */
  readonly status: number | null;
  /** The store's error code (`NoSuchBucket`, `AccessDenied`, …), when it gave one. */
  readonly code: string | null;

  constructor(
    message: string,
    details: { kind: S3FailureKind; operation: S3Operation; status?: number | null; code?: string | null },
  ) {
    super(message);
    this.kind = details.kind;
    this.operation = details.operation;
    this.status = details.status ?? null;
    this.code = details.code ?? null;
  }
}

/** AWS caps presigned URLs at 7 days; the stores that copy S3 do the same. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 60 * 60;
const DEFAULT_TIMEOUT_MS = 60_000;
// S3 error documents are a few hundred bytes; anything larger is some other server's page.
const CHECK_BODY = 'Shootline staging check\n';

const OPERATION_VERB: Record<S3Operation, string> = {
  put: 'upload files to',
  head: 'look up files in',
  delete: 'delete files from',
  get: 'read files from',
};

export class S3Client {
  readonly bucket: string;
  readonly region: string;
  readonly addressing: S3Addressing;
  readonly #endpoint: URL;
  readonly #accessKeyId: string;
  readonly #secretAccessKey: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;

  constructor(options: S3ClientOptions) {
    const endpoint = new URL(options.endpoint);
    if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
      throw new Error(`The storage endpoint must start with http:// or https:// (got ${endpoint.protocol}).`);
    }
    // Credentials in the URL would be sent in clear to any server and shown in messages.
    if (endpoint.username || endpoint.password) {
      throw new Error('The storage endpoint must not contain a user name or password.');
    }
    endpoint.search = '';
    endpoint.hash = '';
    this.#endpoint = endpoint;
    this.bucket = options.bucket;
    this.region = options.region;
    this.addressing = options.addressing ?? 'path';
    this.#accessKeyId = options.accessKeyId;
    this.#secretAccessKey = options.secretAccessKey;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#fetch = options.fetch ?? fetch;
    this.#now = options.now ?? Date.now;
  }

  /** The endpoint as shown to the user: scheme, host and port, never a path or query. */
  get origin(): string {
    return this.#endpoint.origin;
  }

  async putObject(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    const response = await this.#send('put', 'PUT', key, {
      body: bytes,
      headers: { 'content-type': contentType },
    });
    await this.#expectOk('put', key, response);
    await discard(response);
  }

  async headObject(key: string): Promise<HeadResult> {
    const response = await this.#send('head', 'HEAD', key, {});
    // A HEAD answer has no body, so 404 cannot say NoSuchKey from NoSuchBucket; s3rver (and a few
    // others) put the code in a header. A missing bucket then fails clearly at the upload instead.
    if (response.status === 404 && response.headers.get('x-amz-error-code') !== 'NoSuchBucket') {
      await discard(response);
      return { exists: false, size: null };
    }
    await this.#expectOk('head', key, response);
    await discard(response);
    const length = response.headers.get('content-length');
    const size = length !== null && /^\d+$/.test(length) ? Number(length) : null;
    return { exists: true, size };
  }

  /** S3 answers 204 whether or not the object was there, so deleting twice is not an error. */
  async deleteObject(key: string): Promise<void> {
    const response = await this.#send('delete', 'DELETE', key, {});
    if (response.status === 404) {
      // Some S3 look-alikes answer a missing key with 404 where S3 says 204: the object is gone either way.
      const bodyText = await readCapped(response);
      if (xmlField(bodyText, 'Code') === 'NoSuchKey') return;
      throw this.#failure('delete', key, response, bodyText);
    }
    await this.#expectOk('delete', key, response);
    await discard(response);
  }

  /**
   * A URL anyone can GET for `expiresSeconds`, signed in the query string (SigV4 presigning).
   * `signedAt` (ms) lets a caller compute the exact expiry, and tests make an already expired link.
   */
  presignGet(key: string, expiresSeconds: number, signedAt: number = this.#now()): string {
    if (!Number.isInteger(expiresSeconds) || expiresSeconds < 1 || expiresSeconds > MAX_PRESIGN_SECONDS) {
      throw new RangeError(`A signed link must last between 1 second and 7 days (got ${expiresSeconds}).`);
    }
    const target = this.#target(key);
    const query = `X-Amz-Expires=${expiresSeconds}&X-Amz-Date=${amzDate(signedAt)}`;
    const signed = aws4.sign(
      {
        method: 'GET',
        host: target.host,
        path: `${target.path}?${query}`,
        service: 's3',
        region: this.region,
        signQuery: true,
        headers: { host: target.host },
      },
      { accessKeyId: this.#accessKeyId, secretAccessKey: this.#secretAccessKey },
    );
    return `${target.protocol}//${target.host}${signed.path ?? target.path}`;
  }

  /**
   * Proves the settings work end to end, the way a cloud provider will use them: upload a tiny
   * file, fetch it back through a presigned link with no credentials, then delete it. The file is
   * deleted even when reading it back fails. Throws an `S3StorageError`; its `operation` says which
   * step failed.
   */
  async checkAccess(key = `shootline-check-${randomUUID()}.txt`): Promise<void> {
    const body = new TextEncoder().encode(CHECK_BODY);
    await this.putObject(key, body, 'text/plain; charset=utf-8');
    let readError: Error | null = null;
    try {
      const url = this.presignGet(key, 300);
      const response = await this.#fetchUrl('get', url, { method: 'GET' });
      await this.#expectOk('get', key, response, 'a signed link');
      const read = new Uint8Array(await this.#readBody('get', response));
      if (Buffer.compare(read, body) !== 0) {
        throw new S3StorageError(
          `The test file read back from bucket '${this.bucket}' was not the one uploaded: check the endpoint in Settings.`,
          { kind: 'invalid_response', operation: 'get', status: response.status },
        );
      }
    } catch (error) {
      readError = error instanceof Error ? error : new Error(String(error));
    }
    // The test file is deleted even when reading it back failed. A failed delete after a good read
    // still fails the check, because cleaning up staged files needs that permission; after a failed
    // read, the read's error is the one worth showing.
    try {
      await this.deleteObject(key);
    } catch (error) {
      if (readError === null) throw error;
    }
    if (readError !== null) throw readError;
  }

  #target(key: string): { protocol: string; host: string; path: string } {
    if (key.length === 0) throw new Error('An object key cannot be empty.');
    const base = this.#endpoint.pathname.replace(/\/+$/, '');
    const encodedKey = key.split('/').map(encodeRfc3986).join('/');
    if (this.addressing === 'virtual') {
      return {
        protocol: this.#endpoint.protocol,
        host: `${this.bucket}.${this.#endpoint.host}`,
        path: `${base}/${encodedKey}`,
      };
    }
    return {
      protocol: this.#endpoint.protocol,
      host: this.#endpoint.host,
      path: `${base}/${encodeRfc3986(this.bucket)}/${encodedKey}`,
    };
  }

  /** Signs with an Authorization header and sends. */
  async #send(
    operation: S3Operation,
    method: 'PUT' | 'HEAD' | 'DELETE',
    key: string,
    request: { body?: Uint8Array; headers?: Record<string, string> },
  ): Promise<Response> {
    const target = this.#target(key);
    const payloadHash = createHash('sha256')
      .update(request.body ?? new Uint8Array(0))
      .digest('hex');
    const headers: Record<string, string> = {
      ...request.headers,
      host: target.host,
      'x-amz-date': amzDate(this.#now()),
      // Signing the payload hash lets the store reject a body damaged in transit.
      'x-amz-content-sha256': payloadHash,
    };
    // The body is left out of what aws4 sees: it would add a Content-Length header of its own, and
    // the payload hash above already binds the body to the signature.
    const signed = aws4.sign(
      { method, host: target.host, path: target.path, service: 's3', region: this.region, headers },
      { accessKeyId: this.#accessKeyId, secretAccessKey: this.#secretAccessKey },
    );
    const sendHeaders = new Headers();
    for (const [name, value] of Object.entries(signed.headers ?? {})) {
      // fetch sets Host itself, from the same URL, so the signed value is what goes on the wire.
      if (name.toLowerCase() === 'host' || value === undefined) continue;
      sendHeaders.set(name, Array.isArray(value) ? value.join(',') : String(value));
    }
    const url = `${target.protocol}//${target.host}${signed.path ?? target.path}`;
    const init: RequestInit = { method, headers: sendHeaders };
    if (request.body !== undefined) init.body = request.body;
    return this.#fetchUrl(operation, url, init);
  }

  async #fetchUrl(operation: S3Operation, url: string, init: RequestInit): Promise<Response> {
    try {
      // No redirects: a signed request must not carry its signature to another host, and a
      // redirect from S3 means a wrong region or endpoint, which the user should fix in Settings.
      return await this.#fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (error) {
      throw this.#transportError(operation, error);
    }
  }

  async #readBody(operation: S3Operation, response: Response): Promise<ArrayBuffer> {
    try {
      return await response.arrayBuffer();
    } catch (error) {
      throw this.#transportError(operation, error);
    }
  }

  #transportError(operation: S3Operation, error: unknown): S3StorageError {
    if (error instanceof S3StorageError) return error;
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      return new S3StorageError(this.#scrub(`${this.origin} did not answer within ${duration(this.#timeoutMs)}.`), {
        kind: 'timeout',
        operation,
      });
    }
    return new S3StorageError(this.#scrub(`Could not reach ${this.origin} (${networkReason(error)}).`), {
      kind: 'network',
      operation,
    });
  }

  /** Turns any non-2xx answer into a clear `S3StorageError`. */
  async #expectOk(operation: S3Operation, key: string, response: Response, via?: string): Promise<void> {
    if (response.status >= 200 && response.status < 300) return;
    throw this.#failure(operation, key, response, operation === 'head' ? '' : await readCapped(response), via);
  }

  #failure(operation: S3Operation, key: string, response: Response, bodyText: string, via?: string): S3StorageError {
    const code = xmlField(bodyText, 'Code') ?? response.headers.get('x-amz-error-code');
    const message = this.#describe(operation, key, response, code, bodyText, via);
    const kind: S3FailureKind = response.status >= 300 && response.status < 400 ? 'redirect' : 'http';
    return new S3StorageError(this.#scrub(message), { kind, operation, status: response.status, code });
  }

  #describe(
    operation: S3Operation,
    key: string,
    response: Response,
    code: string | null,
    bodyText: string,
    via: string | undefined,
  ): string {
    const status = response.status;
    const bucket = `'${this.bucket}'`;
    const serverMessage = xmlField(bodyText, 'Message') ?? response.headers.get('x-amz-error-message') ?? '';
    const actualRegion = response.headers.get('x-amz-bucket-region') ?? xmlField(bodyText, 'Region');
    if (actualRegion && actualRegion !== this.region) {
      return `The bucket ${bucket} is in region '${actualRegion}', not '${this.region}': set the region in Settings.`;
    }
    switch (code ?? '') {
      case 'NoSuchBucket':
        return `The bucket ${bucket} does not exist at ${this.origin}: check the bucket name in Settings.`;
      case 'InvalidAccessKeyId':
        return 'The access key was refused: the storage does not know this access key ID. Check it in Settings.';
      case 'SignatureDoesNotMatch':
        return 'The secret key was refused: the signature made with it did not match. Check the secret access key in Settings.';
      case 'RequestTimeTooSkewed':
        return "The storage refused the request because this computer's clock is wrong: set the date and time, then try again.";
      case 'AuthorizationHeaderMalformed':
      case 'AuthorizationQueryParametersError':
      case 'IllegalLocationConstraintException':
        return `The storage refused the signature: the region '${this.region}' is probably wrong for bucket ${bucket}. Check the region in Settings.`;
      case 'InvalidBucketName':
        return `The bucket name ${bucket} is not valid for this storage: check it in Settings.`;
      case 'NoSuchKey':
        return `The file '${key}' is no longer in bucket ${bucket}.`;
      case 'EntityTooLarge':
        return `The file is too large for bucket ${bucket}.`;
      case 'BadDigest':
      case 'XAmzContentSHA256Mismatch':
        return 'The upload was damaged on the way to the storage: try again.';
      case 'AccessDenied':
      case 'AllAccessDisabled':
        if (via && /expired/i.test(serverMessage)) return `The signed link to '${key}' has expired.`;
        return via
          ? `The storage refused to serve the file through ${via} (access denied): the bucket or its keys may not allow signed links.`
          : `The access key was refused for bucket ${bucket}: it may not have permission to ${OPERATION_VERB[operation]} it.`;
      case 'SlowDown':
      case 'ServiceUnavailable':
        return `${this.origin} is busy right now (${code}): try again in a minute.`;
      default:
        break;
    }
    if (status >= 300 && status < 400) {
      const location = response.headers.get('location');
      return `${this.origin} redirected the request${location ? ` to ${new URL(location, this.origin).origin}` : ''}: check the endpoint${this.addressing === 'path' ? ' (or switch to virtual-hosted addressing)' : ''} and region in Settings.`;
    }
    if (status === 401 || status === 403) {
      return `The access key was refused for bucket ${bucket} (HTTP ${status}${code ? ` ${code}` : ''}): check the keys and their permissions in Settings.`;
    }
    if (status >= 500) {
      return `${this.origin} had a problem of its own (HTTP ${status}${code ? ` ${code}` : ''}): try again later.`;
    }
    if (code) return `The storage refused the request (HTTP ${status} ${code}).`;
    // No S3 error code at all: most likely the endpoint is some other web server.
    return `${this.origin} answered HTTP ${status} without an S3 error: check that the endpoint is an S3-compatible storage address.`;
  }

  #scrub(message: string): string {
    return this.#secretAccessKey.length > 0 ? message.split(this.#secretAccessKey).join('[redacted]') : message;
  }
}
