import { createHash } from 'node:crypto';
import { identityAfterRead, openRegularFile, type FileIdentity } from '../regular-file';

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
  try {
    let read = 0;
    if (size > 0) {
      for await (const chunk of handle.createReadStream({
        highWaterMark: 1024 * 1024,
        end: size - 1,
        autoClose: false,
      })) {
        hash.update(chunk as Buffer);
        read += (chunk as Buffer).length;
      }
    }
    return { hash: hash.digest('hex'), size, identity: await identityAfterRead(handle, identity, read, wallClock) };
  } finally {
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
