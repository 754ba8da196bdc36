import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ApiHandlers } from '../../shared/api';
import type { ShootDeletePlan } from '../../shared/api-shoots';
import type { HotFolder, Shoot } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { Db } from './db/connection';
import { getHotFolder } from './db/hot-folders-repo';
import { ensureShoot, findShoot, isFolderIgnored } from './db/ingest-repo';
import {
  getShootDetail,
  insertShoot,
  listShoots,
  markShootDeleted,
  mergeShoots,
  renameShoot,
  requireFreeName,
  restoreFolder,
  shootContents,
} from './db/shoots-repo';
import { listVariants } from './db/variants-repo';
import type { EventHub } from './events';
import type { Logger } from './log';
import type { ProviderModule } from './providers/contract';
import { variantFilePath } from './queue/output-store';
import { receivePiece } from './ingest/shoot-uploads';

type ShootMethods =
  | 'shoots.list'
  | 'shoots.get'
  | 'shoots.create'
  | 'shoots.rename'
  | 'shoots.deletePlan'
  | 'shoots.delete'
  | 'shoots.merge'
  | 'shoots.addFile'
  | 'hotFolders.restoreFolder';

/** Job states in which a cloud provider already has the work: a cancel here cannot call it back. */
const AT_PROVIDER = new Set(['submitting', 'remote', 'fetching']);

export interface ShootsApiContext {
  db: Db;
  events: EventHub;
  log: Logger;
  now: () => number;
  providers: ReadonlyMap<string, ProviderModule>;
  /** Where variants' files are (removed with a deleted shoot). */
  mediaRoot: string;
  /** Cancels one job as the user's "cancel" does (aborting a request in flight). */
  cancelJob: (id: string) => void;
  /** Scans a restored subfolder now (its photos come back without waiting for the next rescan). */
  rescan: (folder: HotFolder, subfolder: string) => Promise<unknown>;
}

/**
 * Shoots as the user manages them: list with progress, rename, delete (after saying what it will
 * do), merge, and bring back a deleted hot-folder shoot. Photos on disk are never touched.
 */
export function createShootsApi(context: ShootsApiContext): Pick<ApiHandlers, ShootMethods> {
  const { db, events, now } = context;

  const plan = (id: string): ShootDeletePlan => {
    const shoot = getShootDetail(db, id);
    if (!shoot) throw new AppError('not_found', `No shoot ${id}.`);
    const contents = shootContents(db, id);
    const atProvider = contents.openJobs.filter(
      (job) => AT_PROVIDER.has(job.state) && (context.providers.get(job.provider)?.baseUrl ?? null) !== null,
    );
    return {
      id,
      name: shoot.name,
      photos: contents.photos,
      variants: contents.variants.length,
      openJobs: contents.openJobs.length,
      notRecallable: atProvider.map((job) => ({
        jobId: job.id,
        fileName: job.fileName,
        provider: context.providers.get(job.provider)?.name ?? job.provider,
        operation: job.operation,
      })),
      hotFolder: contents.hotFolder,
    };
  };

  /** The shoot of a subfolder made for it (one already there and not yet a shoot is taken as it is). */
  const createInHotFolder = (name: string, hotFolderId: string): Shoot => {
    const hotFolder = getHotFolder(db, hotFolderId);
    if (!hotFolder) throw new AppError('not_found', `No hot folder ${hotFolderId}.`);
    if (findShoot(db, hotFolderId, name) || isFolderIgnored(db, hotFolderId, name)) {
      throw new AppError(
        'conflict',
        `${hotFolder.name} already has a folder “${name}” with a shoot. Choose another name.`,
      );
    }
    if (name.startsWith('.') || name.startsWith('~')) {
      throw new AppError(
        'invalid_input',
        'A shoot made in a hot folder cannot start with . or ~: such folders are passed over.',
      );
    }
    if (Buffer.byteLength(name) > 255) {
      throw new AppError('invalid_input', 'That name is too long for a folder name (255 bytes). Choose a shorter one.');
    }
    // An unmounted drive leaves its mount point behind: never make the shoot's folder on the local disk.
    if (!fs.existsSync(hotFolder.path)) {
      throw new AppError(
        'invalid_input',
        `The hot folder ${hotFolder.path} is not there. Connect its drive, then try again.`,
      );
    }
    try {
      fs.mkdirSync(path.join(hotFolder.path, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return adopt(name, hotFolder);
      throw new AppError(
        'invalid_input',
        `Could not make the folder “${name}” in ${hotFolder.path} (${(error as NodeJS.ErrnoException).code ?? 'error'}). Check that the drive is connected and writable.`,
      );
    }
    return adopt(name, hotFolder);
  };

  /** The shoot of the subfolder `name`, made now (a folder already there and not yet a shoot is taken as it is). */
  const adopt = (name: string, hotFolder: HotFolder): Shoot => {
    let created: Shoot | null = null;
    const id = ensureShoot(db, hotFolder, name, now(), (shoot) => {
      created = shoot;
      events.emit('shoots.created', shoot);
    });
    return created ?? { id, name, createdAt: new Date(now()).toISOString() };
  };

  return {
    'shoots.list': () => listShoots(db),

    'shoots.get': ({ id }) => {
      const shoot = getShootDetail(db, id);
      if (!shoot) throw new AppError('not_found', `No shoot ${id}.`);
      return { ...shoot, generated: listVariants(db, { shootId: id, generated: true }) };
    },

    'shoots.create': ({ name, hotFolderId }) => {
      requireFreeName(db, name);
      if (hotFolderId !== undefined) return createInHotFolder(name, hotFolderId);
      const shoot: Shoot = { id: randomUUID(), name, createdAt: new Date(now()).toISOString() };
      insertShoot(db, shoot);
      events.emit('shoots.created', shoot);
      return shoot;
    },

    'shoots.rename': ({ id, name }) => {
      const shoot = renameShoot(db, id, name);
      events.emit('shoots.updated', shoot);
      return shoot;
    },

    'shoots.deletePlan': ({ id }) => plan(id),

    'shoots.delete': ({ id }) => {
      const done = plan(id);
      const contents = shootContents(db, id);
      markShootDeleted(db, id, now());
      for (const job of contents.openJobs) {
        try {
          context.cancelJob(job.id);
        } catch (error) {
          // Finished meanwhile: nothing left to cancel.
          if (!(error instanceof AppError)) throw error;
        }
      }
      for (const variant of contents.variants) {
        const file = variantFilePath(context.mediaRoot, variant.mediaId, variant.mimeType);
        fs.promises
          .rm(file, { force: true })
          .catch((error: unknown) =>
            context.log.warn('shoots.variant_not_removed', { mediaId: variant.mediaId, error }),
          );
      }
      events.emit('shoots.deleted', { id, mergedInto: null });
      return done;
    },

    'shoots.merge': ({ from, into }) => {
      mergeShoots(db, from, into, now());
      events.emit('shoots.deleted', { id: from, mergedInto: into });
      const merged = listShoots(db).find((shoot) => shoot.id === into);
      if (!merged) throw new AppError('not_found', `No shoot ${into}.`);
      return merged;
    },

    'shoots.addFile': (piece) => receivePiece(db, piece),

    'hotFolders.restoreFolder': ({ id, folder }) => {
      const hotFolder = getHotFolder(db, id);
      if (!hotFolder) throw new AppError('not_found', `No hot folder ${id}.`);
      if (!restoreFolder(db, id, folder)) {
        throw new AppError('not_found', `The folder “${folder}” is not ignored in ${hotFolder.name}.`);
      }
      void context
        .rescan(hotFolder, folder)
        .catch((error: unknown) => context.log.warn('shoots.restore_rescan_failed', { folder, error }));
      return { id, folder };
    },
  };
}
