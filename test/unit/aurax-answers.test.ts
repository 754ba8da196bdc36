import { describe, expect, it } from 'vitest';
import {
  errorWords,
  isOutOfCredits,
  readCreated,
  readDescription,
  readEvent,
  readImageBody,
  readTask,
} from '../../main/engine/providers/aurax/answers';

/** AuraX's answers in every reading docs/providers/aurax.md lists: the doc fixes none of them. */

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('AuraX answers, read in every form', () => {
  it('finds the task a POST created, and what it says was charged', () => {
    for (const answer of [
      { taskId: 't1' },
      { id: 't1' },
      { data: { taskId: 't1' } },
      { success: true, data: { id: 't1' } },
    ]) {
      expect(readCreated(json(answer))?.taskId, JSON.stringify(answer)).toBe('t1');
    }
    expect(readCreated(json({ taskId: 't1', creditsUsed: 3 }))).toEqual({ taskId: 't1', charged: 3 });
    expect(readCreated(json({ taskId: 't1', credits: { used: 0.25, remaining: 9.75 } }))).toEqual({
      taskId: 't1',
      charged: 0.25,
      balance: 9.75,
    });
    expect(readCreated(Buffer.from('<html>gateway</html>'))).toBeNull();
    expect(readCreated(json({ ok: true }))).toBeNull();
  });

  it('reads a task bare or wrapped, any status words, and every kind of image reference', () => {
    const shapes = (task: Record<string, unknown>) => [task, { data: task }, { task }];
    for (const shape of shapes({ taskId: 't', status: 'completed', images: ['img-1'] })) {
      expect(readTask(shape), JSON.stringify(shape)).toMatchObject({ status: 'completed', images: [{ id: 'img-1' }] });
    }
    for (const [word, status] of [
      ['pending', 'pending'],
      ['PROCESSING', 'pending'],
      ['QUEUED', 'pending'],
      ['in_progress', 'pending'],
      ['SUCCEEDED', 'completed'],
      ['done', 'completed'],
      ['ERROR', 'failed'],
      ['failed', 'failed'],
    ] as const) {
      expect(readTask({ status: word })?.status, word).toBe(status);
    }
    expect(readTask({ status: 'completed', images: [{ id: 'a' }, { id: 'b' }] })?.images).toEqual([
      { id: 'a' },
      { id: 'b' },
    ]);
    expect(readTask({ status: 'completed', images: [{ url: 'https://x.test/images/a' }] })?.images).toEqual([
      { url: 'https://x.test/images/a' },
    ]);
    expect(readTask({ status: 'completed', resultImageId: 'r1' })?.images).toEqual([{ id: 'r1' }]);
    expect(readTask({ status: 'failed', error: 'bad garment' })?.why).toBe('bad garment');
    expect(readTask({ status: 'failed', reason: 'no person found' })?.why).toBe('no person found');
    expect(readTask({ nothing: true })).toBeNull();
  });

  it('reads Server-Sent Events as task objects or bare status words, and skips what it does not know', () => {
    expect(readEvent(JSON.stringify({ status: 'processing' }))?.status).toBe('pending');
    expect(readEvent(JSON.stringify({ data: { status: 'completed', images: ['i'] } }))).toMatchObject({
      status: 'completed',
      images: [{ id: 'i' }],
    });
    expect(readEvent('completed')?.status).toBe('completed');
    expect(readEvent('"failed"')?.status).toBe('failed');
    expect(readEvent('')).toBeNull();
    expect(readEvent('{"hello": 1}')).toBeNull();
    expect(readEvent('<<<>>>')).toBeNull();
  });

  it('reads a description as plain text or JSON', () => {
    const text = 'A linen summer dress.';
    expect(readDescription(Buffer.from(text), 'text/plain; charset=utf-8')).toBe(text);
    for (const answer of [{ description: text }, { data: { description: text } }, { text }, { result: text }]) {
      expect(readDescription(json(answer), 'application/json'), JSON.stringify(answer)).toBe(text);
    }
    expect(readDescription(json({ description: '' }), 'application/json')).toBeNull();
    expect(readDescription(Buffer.from('<!DOCTYPE html><html>Bad gateway</html>'), 'text/html')).toBeNull();
  });

  it('reads an image as bytes or as base64 in JSON', () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    expect(readImageBody(png, 'image/png')?.equals(png)).toBe(true);
    expect(readImageBody(json({ base64: png.toString('base64') }), 'application/json')?.equals(png)).toBe(true);
    expect(
      readImageBody(json({ data: `data:image/png;base64,${png.toString('base64')}` }), 'application/json')?.equals(png),
    ).toBe(true);
    expect(readImageBody(json({ data: 'not base64 at all!' }), 'application/json')).toBeNull();
    const urlSafe = png.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    expect(readImageBody(json({ base64: urlSafe }), 'application/json')?.equals(png)).toBe(true);
  });

  it("says AuraX's words from any error body, and knows when the credits ran out", () => {
    expect(errorWords(json({ error: 'Invalid productType' }))).toBe('Invalid productType');
    expect(errorWords(json({ message: 'Invalid productType', code: 'VALIDATION' }))).toBe('Invalid productType');
    expect(errorWords(json({ errors: [{ message: 'garmentStrength must be 1, 2 or 3' }] }))).toBe(
      'garmentStrength must be 1, 2 or 3',
    );
    expect(errorWords(Buffer.from('Bad Gateway'))).toBe('Bad Gateway');
    expect(isOutOfCredits(402, json({ error: 'Payment required' }))).toBe(true);
    expect(isOutOfCredits(403, json({ error: 'Insufficient credits' }))).toBe(true);
    expect(isOutOfCredits(400, json({ code: 'INSUFFICIENT_CREDITS' }))).toBe(true);
    expect(isOutOfCredits(401, json({ error: 'Invalid API key' }))).toBe(false);
    // A 2xx that says it did not succeed; and no pause for words AuraX did not say (an echoed prompt).
    expect(isOutOfCredits(200, json({ success: false, error: 'Insufficient credits' }))).toBe(true);
    expect(isOutOfCredits(200, Buffer.from('A dress for guests with insufficient credits at the bank.'))).toBe(false);
    expect(isOutOfCredits(400, json({ error: 'Invalid prompt', prompt: 'out of credits sign' }))).toBe(false);
    expect(isOutOfCredits(500, json({ error: 'Insufficient credits' }))).toBe(false);
  });
});
