import { describe, expect, it } from 'vitest';
import { classifyPath, isInIgnoredFolder, stemOf } from '../../main/engine/ingest/file-filter';
import { WriteFinishTracker } from '../../main/engine/ingest/stability';

describe('classifyPath', () => {
  it.each([
    ['IMG_0001.CR2', 'candidate'],
    ['Fotó café 写真 (1).jpg', 'candidate'],
    ['kitchen.jpg.part', 'ignored'],
    ['kitchen.jpg.crdownload', 'ignored'],
    ['upload.TMP', 'ignored'],
    ['.syncthing.kitchen.jpg.tmp', 'ignored'],
    ['~$report.jpg', 'ignored'],
    ['.hidden.jpg', 'ignored'],
    ['.DS_Store', 'ignored'],
    ['Thumbs.db', 'ignored'],
    ['IMG_0001.xmp', 'sidecar'],
    ['IMG_0001.CR2.xmp', 'sidecar'],
  ])('%s → %s', (name, kind) => {
    expect(classifyPath(`/shoots/smith/${name}`).kind).toBe(kind);
  });

  it('links both sidecar naming styles to the photo stem', () => {
    expect(classifyPath('/a/IMG_0001.xmp')).toEqual({ kind: 'sidecar', photoStem: 'IMG_0001' });
    expect(classifyPath('/a/IMG_0001.CR2.xmp')).toEqual({ kind: 'sidecar', photoStem: 'IMG_0001' });
    expect(stemOf('IMG_0001.CR2')).toBe('IMG_0001');
  });

  it('hides files inside hidden or temporary folders', () => {
    expect(isInIgnoredFolder('smith/.sync/IMG_1.jpg')).toBe(true);
    expect(isInIgnoredFolder('~tmp/IMG_1.jpg')).toBe(true);
    expect(isInIgnoredFolder('smith/day 1/IMG_1.jpg')).toBe(false);
  });
});

describe('WriteFinishTracker', () => {
  it('takes a file once it has been unchanged for the whole window, once per version', () => {
    const tracker = new WriteFinishTracker(2_000);
    expect(tracker.observe('a.jpg', { size: 100, mtimeMs: 1 }, 0).status).toBe('waiting');
    expect(tracker.observe('a.jpg', { size: 200, mtimeMs: 2 }, 1_000).status).toBe('waiting'); // still growing
    expect(tracker.settlesAt('a.jpg')).toBe(3_000);
    expect(tracker.observe('a.jpg', { size: 200, mtimeMs: 2 }, 2_999).status).toBe('waiting');
    expect(tracker.observe('a.jpg', { size: 200, mtimeMs: 2 }, 3_000)).toEqual({
      status: 'stable',
      stat: { size: 200, mtimeMs: 2 },
    });
    expect(tracker.observe('a.jpg', { size: 200, mtimeMs: 2 }, 9_000).status).toBe('waiting'); // already taken
  });

  it('reports a copy that stalled longer than the window and then went on as changed, to be taken again', () => {
    const tracker = new WriteFinishTracker(2_000);
    tracker.observe('b.jpg', { size: 50, mtimeMs: 1 }, 0);
    expect(tracker.observe('b.jpg', { size: 50, mtimeMs: 1 }, 5_000).status).toBe('stable'); // the stall looked finished
    expect(tracker.observe('b.jpg', { size: 120, mtimeMs: 6 }, 6_000).status).toBe('waiting'); // the copy went on
    expect(tracker.observe('b.jpg', { size: 120, mtimeMs: 6 }, 8_000)).toEqual({
      status: 'changed_after_taken',
      stat: { size: 120, mtimeMs: 6 },
    });
  });

  it('forgets a file, so a new file by that name starts over', () => {
    const tracker = new WriteFinishTracker(1_000);
    tracker.observe('c.jpg', { size: 1, mtimeMs: 1 }, 0);
    tracker.observe('c.jpg', { size: 1, mtimeMs: 1 }, 1_000);
    tracker.forget('c.jpg');
    expect(tracker.settlesAt('c.jpg')).toBeNull();
    tracker.observe('c.jpg', { size: 1, mtimeMs: 1 }, 2_000);
    expect(tracker.observe('c.jpg', { size: 1, mtimeMs: 1 }, 3_000).status).toBe('stable');
  });
});
