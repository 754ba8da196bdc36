import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareWithIngested } from '../../main/engine/ingested-content';
import { hashFile } from '../../main/engine/ingest/hash';
import { identityAfterRead, openRegularFile, readRegularFileWithIdentity } from '../../main/engine/regular-file';
import { corpusPath } from '../support/corpus';
import { assetsOf, call, startTestEngine, until } from '../support/engine';
import { tempDir } from '../support/temp';

/** Rewrites bytes in the middle of a file in place: same size, same inode, and its times set back. */
function editInPlace(file: string): void {
  const before = fs.statSync(file);
  const handle = fs.openSync(file, 'r+');
  fs.writeSync(handle, Buffer.from('edited elsewhere'), 0, 16, Math.floor(before.size / 2));
  fs.closeSync(handle);
  fs.utimesSync(file, before.atime, before.mtime);
}

/** A photo whose times are whole seconds (restorable exactly by utimes) and an hour old. */
function oldPhoto(): string {
  const file = path.join(tempDir(), 'IMG_0001.jpg');
  fs.copyFileSync(corpusPath('photos/storm_canon-400d.jpg'), file);
  const anHourAgo = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
  fs.utimesSync(file, anHourAgo, anHourAgo);
  return file;
}

/** Reads made a few seconds later, as ingest's and a job's reads are: the last change is no longer too recent to trust. */
const later = () => Date.now() + 5_000;

describe('a photo read again after ingest', () => {
  it('is trusted without a new hash only while it is the very file that was hashed', async () => {
    const file = oldPhoto();
    const hashed = await hashFile(file, later);
    expect(hashed.identity).not.toBeNull();
    const ingested = { contentHash: hashed.hash, fileIdentity: hashed.identity };
    const read = () => readRegularFileWithIdentity(file, 1 << 30, later);

    expect(compareWithIngested(ingested, await read())).toBe('same-file');
    // Recorded before identities were: hashed again.
    expect(compareWithIngested({ ...ingested, fileIdentity: null }, await read())).toBe('same-bytes');

    // The same bytes copied over it (a new file at the path): hashed, and found the same.
    const copy = `${file}.copy`;
    fs.copyFileSync(file, copy);
    fs.renameSync(copy, file);
    expect((await read()).identity).not.toBe(hashed.identity);
    expect(compareWithIngested(ingested, await read())).toBe('same-bytes');
  });

  it('tells an edit in place that kept size and modification time by its change time', async () => {
    const file = oldPhoto();
    const hashed = await hashFile(file, later);
    editInPlace(file);
    const edited = await readRegularFileWithIdentity(file, 1 << 30, later);
    const [device, inode, size, modified, changed] = (edited.identity ?? '').split(':');
    expect([device, inode, size, modified]).toEqual((hashed.identity ?? '').split(':').slice(0, 4));
    expect(changed).not.toBe((hashed.identity ?? '').split(':')[4]);
    expect(compareWithIngested({ contentHash: hashed.hash, fileIdentity: hashed.identity }, edited)).toBe('changed');
  });

  it('gives no identity to a file changed within the last 2 s, or changed while it was read', async () => {
    const file = oldPhoto();
    // Its change time is now (the copy and the times just set): a write within the same tick of a coarse clock would not show.
    expect((await hashFile(file)).identity).toBeNull();
    expect((await readRegularFileWithIdentity(file, 1 << 30)).identity).toBeNull();
    const { handle, identity, size } = await openRegularFile(file);
    try {
      expect(await identityAfterRead(handle, identity, size, later)).toBe(identity);
      // Fewer bytes than the file holds were read: it was cut while being read.
      expect(await identityAfterRead(handle, identity, size - 1, later)).toBeNull();
      fs.appendFileSync(file, 'more');
      expect(await identityAfterRead(handle, identity, size, later)).toBeNull();
    } finally {
      await handle.close();
    }
  });

  it('fails a queued job whose photo was edited in place after ingest, instead of running on other bytes', async () => {
    const { engine } = startTestEngine({ stabilityMs: 300 });
    await call(engine, 'queue.pause', { scope: 'global' });
    const root = path.join(fs.realpathSync(tempDir()), 'Drop');
    fs.mkdirSync(path.join(root, 'Harbour'), { recursive: true });
    await call(engine, 'hotFolders.add', { path: root });
    const photo = path.join(root, 'Harbour', 'IMG_0001.jpg');
    const other = path.join(root, 'Harbour', 'IMG_0002.jpg');
    fs.copyFileSync(corpusPath('photos/storm_canon-400d.jpg'), photo);
    fs.copyFileSync(corpusPath('photos/dune_canon-rebel.jpg'), other);
    await until(
      () => assetsOf(engine),
      (assets) => assets.length === 2 && assets.every((asset) => asset.state === 'ok'),
    );
    const queued = await until(
      async () => (await call(engine, 'jobs.list', {})).jobs,
      (jobs) => jobs.length === 2,
    );
    // Same size and modification time: ingest's quick look sees nothing new, only the job's read can tell.
    editInPlace(photo);
    await call(engine, 'queue.resume', { scope: 'global' });
    const ended = await until(
      async () => (await call(engine, 'jobs.list', {})).jobs,
      (jobs) => jobs.length === 2 && jobs.every((job) => job.state === 'done' || job.state === 'failed'),
    );
    const assets = await assetsOf(engine);
    const edited = assets.find((asset) => asset.relativePath.endsWith('IMG_0001.jpg'));
    const byAsset = (id: string | undefined) =>
      ended.find((job) => job.inputs.source?.kind === 'asset' && job.inputs.source.assetId === id);
    expect(queued).toHaveLength(2);
    expect(byAsset(edited?.id)).toMatchObject({ state: 'failed' });
    expect(byAsset(edited?.id)?.lastError?.message).toMatch(/IMG_0001\.jpg changed since this job was queued/);
    expect(byAsset(assets.find((asset) => asset !== edited)?.id)).toMatchObject({ state: 'done' });
  });
});
