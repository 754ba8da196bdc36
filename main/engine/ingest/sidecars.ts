import fs from 'node:fs';
import path from 'node:path';
import type { HotFolder } from '../../../shared/domain';
import type { Db } from '../db/connection';
import { linkSidecar } from '../db/ingest-repo';
import { stemOf } from './file-filter';
import { toPosix } from './folder-files';

/**
 * Links a sidecar that arrived to its photos, and returns the asset ids whose link changed.
 * "IMG_1.CR2.xmp" describes IMG_1.CR2 alone (darktable, Lightroom with "include extension");
 * "IMG_1.xmp" describes every IMG_1.* in its folder that has no sidecar of its own.
 */
export function linkArrivedSidecar(db: Db, folder: HotFolder, file: string, now: number): string[] {
  const relative = toPosix(path.relative(folder.path, file));
  const name = relative.slice(0, -'.xmp'.length);
  const target = /\.[A-Za-z0-9]{2,5}$/.test(path.posix.basename(name)) ? { photo: name } : { stem: name };
  return linkSidecar(db, folder.id, relative, target, now);
}

/** A sidecar written before its photo arrived is linked when the photo is taken: its own first, else its stem's. */
export function linkWaitingSidecar(db: Db, folder: HotFolder, file: string, now: number): string[] {
  const directory = path.dirname(file);
  const name = path.basename(file);
  const stem = stemOf(name);
  const candidates = [`${name}.xmp`, `${name}.XMP`, `${stem}.xmp`, `${stem}.XMP`];
  // Most photos have no sidecar: a look at the four names settles that, where listing the folder
  // for every photo taken made a shoot of n photos read n × n names.
  if (!candidates.some((candidate) => fs.existsSync(path.join(directory, candidate)))) return [];
  // The listing gives the names as they are on disk, which a case-insensitive file system's
  // existsSync does not: "IMG_1.xmp" is found there when the file is "IMG_1.XMP".
  let siblings: Set<string>;
  try {
    siblings = new Set(fs.readdirSync(directory));
  } catch {
    return [];
  }
  const own = candidates.slice(0, 2).find((candidate) => siblings.has(candidate));
  const shared = candidates.slice(2).find((candidate) => siblings.has(candidate));
  const sidecar = own ?? shared;
  if (!sidecar) return [];
  const photo = toPosix(path.relative(folder.path, file));
  const sidecarPath = toPosix(path.relative(folder.path, path.join(directory, sidecar)));
  return linkSidecar(db, folder.id, sidecarPath, { photo }, now);
}
