/**
 * Lets go of a large buffer's memory now, for a buffer nothing reads again. V8 frees a buffer's
 * memory only when a collection finds it dead, and counts it meanwhile as external memory, whose
 * growth itself brings a full collection forward: a photo's bytes (5–70 MB) read or decoded per
 * file made the engine's main thread collect its whole heap every few photos. Detaching the buffer
 * (`transfer(0)`) frees the memory at once and takes it off that count.
 *
 * Only a buffer that spans its whole ArrayBuffer is detached: a slice of Node's shared pool, or a
 * view into part of a larger memory, is left to the collector. Every other view spanning the same
 * memory reads as empty afterwards, and native code (libvips) reading it through a raw pointer
 * would read freed memory: the caller must be its last reader, with no pipeline over it running.
 */
export function releaseBuffer(bytes: Uint8Array | null | undefined): void {
  if (!bytes) return;
  const memory = bytes.buffer;
  if (!(memory instanceof ArrayBuffer) || memory.detached) return;
  if (bytes.byteOffset !== 0 || memory.byteLength !== bytes.byteLength) return;
  try {
    memory.transfer(0);
  } catch (error) {
    // A memory its owner keeps attached (a WebAssembly memory's), or a runtime without transfer():
    // the collector's to free, as before.
    if (!(error instanceof TypeError)) throw error;
  }
}
