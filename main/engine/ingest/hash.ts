import { createHash } from 'node:crypto';
import { identityAfterRead, openRegularFile, type FileIdentity } from '../regular-file';

/** Bytes read at a time while hashing. */
const CHUNK_BYTES = 1024 * 1024;

/**
 * Chunk buffers no hash is using: a hash reads into one of these again and again rather than into
 * a new megabyte per read, which would leave the garbage collector a photo's size to free each time.
 */
const spareChunks: Buffer[] = [];
const MAX_SPARE_CHUNKS = 4;

/**
 * Streamed SHA-256 of a regular file, through the handle that was checked and up to its size when
 * opened: photos of any size are hashed without being held in memory, and a FIFO or a device is
 * refused instead of read for ever.
 */
export async function hashFile(
  file: string,
  wallClock: () => number = Date.now,
): Promise<{ hash: string; size: number; identity: FileIdentity | null }> {
  const { handle, size, identity } = await openRegularFile(file);
  const hash = createHash('sha256');
  const chunk = spareChunks.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
  try {
    let read = 0;
    while (read < size) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(CHUNK_BYTES, size - read), read);
      if (bytesRead === 0) break; // shorter than when opened: identityAfterRead says so
      hash.update(chunk.subarray(0, bytesRead));
      read += bytesRead;
    }
    return { hash: hash.digest('hex'), size, identity: await identityAfterRead(handle, identity, read, wallClock) };
  } finally {
    if (spareChunks.length < MAX_SPARE_CHUNKS) spareChunks.push(chunk);
    await handle.close();
  }
}

/** The first `bytes` of a regular file (fewer if it is shorter), for judging its format by content. */
export async function readHead(file: string, bytes: number): Promise<Buffer> {
  const { handle } = await openRegularFile(file);
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
