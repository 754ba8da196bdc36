/** The small pieces of S3's wire protocol the client needs: SigV4 dates and encoding, XML fields, bounded bodies, network reasons. */

const MAX_ERROR_BODY_BYTES = 64 * 1024;

export function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} seconds`;
}

/** SigV4's basic ISO 8601 form, `YYYYMMDDTHHMMSSZ`. */
export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[:-]|\.\d{3}/g, '');
}

/** RFC 3986 encoding, the one SigV4 canonicalises paths with (encodeURIComponent leaves !'()* alone). */
export function encodeRfc3986(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function xmlField(xml: string, field: string): string | null {
  const match = new RegExp(`<${field}>([^<]{0,512})</${field}>`).exec(xml);
  return match?.[1]?.trim() || null;
}

/** The start of a response body, as text; a body that cannot be read counts as empty. */
export async function readCapped(response: Response): Promise<string> {
  if (!response.body) return '';
  // Typed here because the DOM-less lib leaves fetch's body stream untyped.
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_ERROR_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // The status already tells the story; a broken error body adds nothing.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY_BYTES);
}

/** Frees the connection of a response whose body is not needed. */
export async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'nothing answered at that address and port',
  ENOTFOUND: 'the host name could not be found',
  EAI_AGAIN: 'the host name could not be looked up; is the network up?',
  ECONNRESET: 'the connection was cut',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the connection was cut',
  CERT_HAS_EXPIRED: 'its security certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its security certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'its security certificate is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its security certificate could not be verified',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its security certificate is for another name',
};

/** A short reason from fetch's error, whose useful part (an errno code) hides in `cause`. */
export function networkReason(error: unknown): string {
  const cause: unknown = error instanceof Error && error.cause !== undefined ? error.cause : error;
  const first: unknown = cause instanceof AggregateError ? cause.errors[0] : cause;
  const code = typeof first === 'object' && first !== null && 'code' in first ? first.code : undefined;
  if (typeof code === 'string') return NETWORK_REASONS[code] ?? code;
  if (first instanceof Error && first.message) return first.message;
  return 'network error';
}
