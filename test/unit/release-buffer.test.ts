import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { releaseBuffer } from '../../main/engine/release-buffer';

describe('releaseBuffer', () => {
  it('frees a buffer that owns its memory: it reads as empty afterwards', () => {
    const bytes = Buffer.alloc(1 << 20, 7);
    releaseBuffer(bytes);
    expect(bytes.buffer.detached).toBe(true);
    expect(bytes.length).toBe(0);
  });

  it("leaves a slice of Node's shared pool alone: other buffers live in that memory", () => {
    const small = Buffer.from('a few bytes');
    // A slice of a larger memory, or this test proves nothing.
    expect(small.buffer.byteLength).toBeGreaterThan(small.length);
    const pool = new Uint8Array(small.buffer);
    releaseBuffer(small);
    expect(small.toString()).toBe('a few bytes');
    expect(pool.length).toBe(small.buffer.byteLength);
  });

  it("frees sharp's own output, which is native memory", async () => {
    const encoded = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } })
      .jpeg()
      .toBuffer();
    expect(encoded.length).toBeGreaterThan(0);
    releaseBuffer(encoded);
    expect(encoded.length).toBe(0);
  });

  it('leaves a view into part of a larger memory alone', () => {
    const whole = Buffer.alloc(4096, 1);
    const part = whole.subarray(0, 1024);
    releaseBuffer(part);
    expect(whole.buffer.detached).toBe(false);
    expect(part.length).toBe(1024);
  });

  it('accepts nothing, and a buffer already released', () => {
    const bytes = Buffer.alloc(8192);
    releaseBuffer(bytes);
    expect(() => releaseBuffer(bytes)).not.toThrow();
    expect(() => releaseBuffer(null)).not.toThrow();
    expect(() => releaseBuffer(undefined)).not.toThrow();
  });

  it('leaves shared memory alone: another thread may be reading it', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(1024));
    releaseBuffer(shared);
    expect(shared.length).toBe(1024);
  });
});

describe('releaseBuffer on memory that cannot be detached', () => {
  it("leaves a WebAssembly memory's pages to their owner", () => {
    // Node's type declarations leave the WebAssembly JS API out.
    const { Memory } = (
      globalThis as unknown as { WebAssembly: { Memory: new (size: { initial: number }) => { buffer: ArrayBuffer } } }
    ).WebAssembly;
    const memory = new Memory({ initial: 1 });
    const view = new Uint8Array(memory.buffer);
    expect(() => releaseBuffer(view)).not.toThrow();
    expect(view.length).toBe(65536);
  });
});
