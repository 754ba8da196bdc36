import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ApiHandlers } from '../../../shared/api';
import type { HotFolder } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { Db } from '../db/connection';
import {
  deleteHotFolder,
  getHotFolder,
  hotFolderStatuses,
  listHotFolders,
  saveHotFolder,
} from '../db/hot-folders-repo';
import { getRecipe } from '../db/recipes-repo';
import { ignoredFolders } from '../db/shoots-repo';
import { LOCAL_AUTO_ENHANCE_RECIPE_ID } from '../providers/local';
import { isInside } from '../media';
import { checkExportFolder, refuseSystemFolder } from '../folder-rules';

type HotFolderMethods =
  | 'hotFolders.list'
  | 'hotFolders.status'
  | 'hotFolders.add'
  | 'hotFolders.update'
  | 'hotFolders.remove'
  | 'hotFolders.rescan';

export interface HotFolderApiContext {
  db: Db;
  /** The library's own folder: never watched (reading its lock file would drop the lock). */
  dataDir: string;
  now: () => number;
  /** Starts and stops watching as folders are added and removed. */
  watcher: {
    watchFolder: (folder: HotFolder) => void;
    unwatchFolder: (id: string) => Promise<void>;
    skippedIn: (id: string) => { path: string; reason: string }[];
    skippedCount: (id: string) => number;
    rescanRestored: (folder: HotFolder, subfolder: string) => Promise<unknown>;
    rescan: (id: string) => Promise<{ seen: number; missing: number }>;
  };
}

/** Adding, changing and removing watched folders. Watching itself is the ingest service's job. */
export function createHotFolderApi(context: HotFolderApiContext): Pick<ApiHandlers, HotFolderMethods> {
  const { db, now } = context;

  const requireRecipe = (id: string | null | undefined): void => {
    if (id && !getRecipe(db, id)) throw new AppError('invalid_input', `No recipe ${id}.`);
  };
  const requireExportFolder = (folder: string | null | undefined): void => {
    if (folder) checkExportFolder(folder, context.dataDir);
  };

  return {
    'hotFolders.list': () => listHotFolders(db),
    'hotFolders.rescan': ({ id }) => context.watcher.rescan(id),
    'hotFolders.status': () =>
      hotFolderStatuses(db).map((status) => ({
        ...status,
        skipped: context.watcher.skippedCount(status.id),
        skippedFiles: context.watcher.skippedIn(status.id),
        ignoredFolders: ignoredFolders(db, status.id),
      })),

    'hotFolders.add': ({ path: given, ...options }) => {
      const folderPath = checkFolder(given, context.dataDir, listHotFolders(db));
      requireRecipe(options.defaultRecipeId);
      requireExportFolder(options.exportFolder);
      const at = now();
      const folder: HotFolder = {
        id: randomUUID(),
        path: folderPath,
        name: path.basename(folderPath) || folderPath,
        // A new folder runs "Local · Auto enhance" unless the user chose another recipe or null ("ingest only").
        defaultRecipeId:
          options.defaultRecipeId === undefined
            ? getRecipe(db, LOCAL_AUTO_ENHANCE_RECIPE_ID)
              ? LOCAL_AUTO_ENHANCE_RECIPE_ID
              : null
            : options.defaultRecipeId,
        spendingCap: options.spendingCap ?? null,
        autoApprove: options.autoApprove ?? false,
        recursive: options.recursive ?? true,
        polling: options.polling ?? false,
        reconcileMinutes: options.reconcileMinutes ?? 5,
        exportPresetId: options.exportPresetId ?? null,
        exportFolder: options.exportFolder ?? null,
        createdAt: at,
        updatedAt: at,
      };
      saveHotFolder(db, folder);
      context.watcher.watchFolder(folder);
      return folder;
    },

    'hotFolders.update': async ({ id, ...change }) => {
      const current = getHotFolder(db, id);
      if (!current) throw new AppError('not_found', `No hot folder ${id}.`);
      requireRecipe(change.defaultRecipeId);
      requireExportFolder(change.exportFolder);
      const updated: HotFolder = { ...current, ...stripUndefined(change), updatedAt: now() };
      saveHotFolder(db, updated);
      // Polling and depth are watcher options: watch again with the new ones.
      await context.watcher.unwatchFolder(id);
      context.watcher.watchFolder(updated);
      return updated;
    },

    'hotFolders.remove': async ({ id }) => {
      if (!deleteHotFolder(db, id)) throw new AppError('not_found', `No hot folder ${id}.`);
      await context.watcher.unwatchFolder(id);
      return { id };
    },
  };
}

/**
 * The folder as it will be watched (absolute, symlinks resolved), or a refusal the user can act on:
 * it must exist and be a readable folder, and must neither hold nor sit inside the library or
 * another hot folder (a photo would be ingested twice, or the library would ingest itself).
 */
export function checkFolder(given: string, dataDir: string, existing: readonly HotFolder[]): string {
  if (!path.isAbsolute(given)) throw new AppError('invalid_input', `Give the folder's full path, not "${given}".`);
  let real: string;
  try {
    real = fs.realpathSync(given);
  } catch {
    throw new AppError('invalid_input', `The folder ${given} does not exist.`);
  }
  if (!fs.statSync(real).isDirectory()) throw new AppError('invalid_input', `${given} is a file, not a folder.`);
  refuseSystemFolder(given, real);
  try {
    fs.accessSync(real, fs.constants.R_OK | fs.constants.X_OK);
  } catch {
    throw new AppError('invalid_input', `Shootline may not read the folder ${given}.`);
  }
  const library = fs.existsSync(dataDir) ? fs.realpathSync(dataDir) : path.resolve(dataDir);
  if (real === library || isInside(library, real) || isInside(real, library)) {
    throw new AppError('invalid_input', `${given} holds Shootline's own library (${library}); choose another folder.`);
  }
  for (const folder of existing) {
    if (real === folder.path) throw new AppError('conflict', `${given} is already a hot folder.`);
    if (isInside(folder.path, real) || isInside(real, folder.path)) {
      throw new AppError(
        'invalid_input',
        `${given} overlaps the hot folder ${folder.path}; a photo would be taken twice.`,
      );
    }
  }
  return real;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
