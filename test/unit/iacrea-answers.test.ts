import { describe, expect, it } from 'vitest';
import { isOutOfPhotos, namesOriginal, readCreated, readGeneration } from '../../main/engine/providers/iacrea/answers';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('iacrea answers, read tolerantly but not loosely', () => {
  it('takes the generation id only by its own name, never an `id` that could be a request’s', () => {
    expect(readCreated(json({ generation_id: 'g1', remaining_photos: 9, project_id: 'p1' }))).toEqual({
      generationId: 'g1',
      projectId: 'p1',
      remainingPhotos: 9,
    });
    expect(readCreated(json({ data: { generationId: 'g2' } }))).toEqual({ generationId: 'g2' });
    expect(readCreated(json({ id: 'request-7', status: 'ok' }))).toBeNull();
    expect(readCreated(Buffer.from('<html>'))).toBeNull();
  });

  it('says out of photos only for words that mean it, in a refusal status', () => {
    const out = [
      { error: 'No photos remaining on this account' },
      { message: 'Not enough photos', statusCode: 402 },
      { errors: [{ field: 'user_id', message: 'Out of photos' }] },
    ];
    for (const body of out) {
      for (const status of [400, 402, 403]) expect(isOutOfPhotos(status, json(body)), JSON.stringify(body)).toBe(true);
    }
    expect(isOutOfPhotos(400, Buffer.from('No photos remaining'))).toBe(true);
    // Other words about photos, or a status that is not a refusal, are not an empty account.
    expect(isOutOfPhotos(400, json({ error: 'insufficient photo resolution' }))).toBe(false);
    expect(isOutOfPhotos(400, json({ error: 'rotate the photo left' }))).toBe(false);
    expect(isOutOfPhotos(429, json({ error: 'photo quota exceeded, retry later' }))).toBe(false);
    expect(isOutOfPhotos(503, json({ error: 'No photos remaining' }))).toBe(false);
  });

  it('reads every form of urls, and promises a refund only for the doc’s FAILED', () => {
    expect(readGeneration(json({ status: 'SUCCEEDED', urls: ['a', 'b'], variationNumber: 0 }))).toMatchObject({
      status: 'succeeded',
      urls: ['a', 'b'],
      variationNumber: 0,
    });
    expect(readGeneration(json({ status: 'SUCCEEDED', urls: [{ url: 'a' }] }))?.urls).toEqual(['a']);
    expect(readGeneration(json({ status: 'SUCCEEDED', url: 'a' }))?.urls).toEqual(['a']);
    expect(readGeneration(json({ status: 'PROCESSING' }))).toMatchObject({ status: 'pending', refunded: false });
    expect(readGeneration(json({ status: 'FAILED' }))).toMatchObject({ status: 'failed', refunded: true });
    expect(readGeneration(json({ status: 'ERROR' }))).toMatchObject({ status: 'failed', refunded: false });
    expect(readGeneration(json({ urls: ['a'] }))).toBeNull();
  });

  it('knows a refusal that names the original link', () => {
    expect(namesOriginal(json({ error: 'original_url must be the URL of the first generation' }))).toBe(true);
    expect(namesOriginal(json({ error: 'mask_url could not be fetched' }))).toBe(false);
  });
});
