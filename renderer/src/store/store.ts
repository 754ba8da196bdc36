import { createStore, type StoreApi } from 'zustand/vanilla';
import { persist } from 'zustand/middleware';
import type {
  HotFolder,
  HotFolderOptions,
  Settings,
  SettingsPatch,
  Shoot,
  ShootListItem,
} from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { ApiClient } from '../bridge/client';
import { COMPARE_MODES, type CompareMode } from '../components/compare/viewport';
import type { ConnectionState } from '../bridge/ws-bridge';
import { DESKTOP_SECTIONS, type DesktopSection } from '../../../shared/desktop';
import { createCullingSlice, type CullingSlice } from './culling-slice';
import { createReviewSlice, leaveMaskEditor, type ReviewSlice } from './review-slice';

/** The sections, as the desktop shell knows them too (it reopens the last one). */
export const SECTIONS = DESKTOP_SECTIONS;
export type Section = DesktopSection;

interface ViewSlice {
  section: Section;
  setSection: (section: Section) => void;
  /** The queue hides jobs done or canceled before this time ("Clear finished"); 0 shows them all. */
  queueClearedBefore: number;
  setQueueClearedBefore: (at: number) => void;
}

interface LibrarySlice {
  shoots: ShootListItem[];
  shootsLoaded: boolean;
  loadShoots: () => Promise<void>;
  /** A new shoot: a subfolder made in the hot folder `hotFolderId`, ready for photos to be copied in. */
  createShoot: (name: string, hotFolderId: string) => Promise<Shoot | null>;
  /** Applies a `shoots.created` event (also for shoots this window created itself: no duplicates). */
  shootCreated: (shoot: Shoot) => void;
  /** Applies `shoots.updated` (a rename) and `shoots.deleted` (deleted, or merged into another). */
  shootRenamed: (shoot: Shoot) => void;
  shootRemoved: (id: string, mergedInto: string | null) => void;
}

interface HotFoldersSlice {
  hotFolders: HotFolder[];
  hotFoldersLoaded: boolean;
  loadHotFolders: () => Promise<void>;
  addHotFolder: (path: string, options?: HotFolderOptions) => Promise<boolean>;
  updateHotFolder: (id: string, options: HotFolderOptions) => Promise<void>;
  removeHotFolder: (id: string) => Promise<void>;
}

interface SettingsSlice {
  settings: Settings | null;
  loadSettings: () => Promise<void>;
  updateSettings: (patch: SettingsPatch) => Promise<void>;
  settingsChanged: (settings: Settings) => void;
}

interface StatusSlice {
  connection: ConnectionState;
  /** The last error the user should see, in words they can act on. */
  error: string | null;
  setConnection: (state: ConnectionState) => void;
  dismissError: () => void;
}

export type AppState = ViewSlice &
  LibrarySlice &
  HotFoldersSlice &
  SettingsSlice &
  StatusSlice &
  ReviewSlice &
  CullingSlice;
export type AppStore = StoreApi<AppState>;

/** View preferences outlive a reload; bump the version when their shape changes. */
const PERSIST_VERSION = 3;

export function createAppStore(client: ApiClient): AppStore {
  const report = (set: StoreApi<AppState>['setState'], error: unknown): void => {
    set({ error: error instanceof AppError ? error.message : 'Something went wrong. The details are in the log.' });
  };

  return createStore<AppState>()(
    persist(
      (set, get) => ({
        ...createReviewSlice<AppState>(client, set, get, (error) => report(set, error)),
        ...createCullingSlice<AppState>(client, set, get, (error) => report(set, error)),
        queueClearedBefore: 0,
        setQueueClearedBefore: (queueClearedBefore) => set({ queueClearedBefore }),
        section: 'shoots',
        setSection: (section) => {
          if (leaveMaskEditor(get())) set({ section });
        },

        shoots: [],
        shootsLoaded: false,
        loadShoots: async () => {
          try {
            set({ shoots: await client.call('shoots.list', {}), shootsLoaded: true });
          } catch (error) {
            report(set, error);
          }
        },
        createShoot: async (name, hotFolderId) => {
          try {
            const shoot = await client.call('shoots.create', { name, hotFolderId });
            get().shootCreated(shoot);
            return shoot;
          } catch (error) {
            report(set, error);
            return null;
          }
        },
        shootCreated: (shoot) => {
          if (get().shoots.some((known) => known.id === shoot.id)) return;
          const fresh = {
            hotFolderId: null,
            folder: null,
            garmentType: null,
            photos: 0,
            problems: 0,
            withVariants: 0,
            approved: 0,
            jobsPending: 0,
          };
          set((state) => ({ shoots: [{ ...fresh, ...shoot }, ...state.shoots] }));
          // Its folder and counts come with the list.
          void get().loadShoots();
        },
        shootRenamed: (shoot) =>
          set((state) => ({
            shoots: state.shoots.map((known) => (known.id === shoot.id ? { ...known, name: shoot.name } : known)),
          })),
        shootRemoved: (id, mergedInto) => {
          set((state) => ({ shoots: state.shoots.filter((known) => known.id !== id) }));
          if (get().openShootId === id) get().openShoot(mergedInto);
          if (mergedInto) void get().loadShoots();
        },

        hotFolders: [],
        hotFoldersLoaded: false,
        loadHotFolders: async () => {
          try {
            set({ hotFolders: await client.call('hotFolders.list', {}), hotFoldersLoaded: true });
          } catch (error) {
            report(set, error);
          }
        },
        addHotFolder: async (path, options = {}) => {
          try {
            const folder = await client.call('hotFolders.add', { path, ...options });
            set((state) => ({ hotFolders: [...state.hotFolders, folder], error: null }));
            return true;
          } catch (error) {
            report(set, error);
            return false;
          }
        },
        updateHotFolder: async (id, options) => {
          try {
            const folder = await client.call('hotFolders.update', { id, ...options });
            set((state) => ({ hotFolders: state.hotFolders.map((known) => (known.id === id ? folder : known)) }));
          } catch (error) {
            report(set, error);
          }
        },
        removeHotFolder: async (id) => {
          try {
            await client.call('hotFolders.remove', { id });
            set((state) => ({ hotFolders: state.hotFolders.filter((folder) => folder.id !== id) }));
          } catch (error) {
            report(set, error);
          }
        },

        settings: null,
        loadSettings: async () => {
          try {
            set({ settings: await client.call('settings.get', {}) });
          } catch (error) {
            report(set, error);
          }
        },
        updateSettings: async (patch) => {
          // Optimistic: the control moves at once; the engine's answer (or the old value, on error) wins.
          const before = get().settings;
          if (before) set({ settings: { ...before, ...patch } });
          try {
            set({ settings: await client.call('settings.set', { patch }) });
          } catch (error) {
            set({ settings: before });
            report(set, error);
          }
        },
        settingsChanged: (settings) => set({ settings }),

        connection: 'connecting',
        error: null,
        setConnection: (connection) => set({ connection }),
        dismissError: () => set({ error: null }),
      }),
      {
        name: 'shootline.view',
        version: PERSIST_VERSION,
        // Where the user was (section, shoot, photo) survives a reload; the data itself is loaded fresh.
        partialize: (state) => ({
          section: state.section,
          openShootId: state.openShootId,
          openAssetId: state.openAssetId,
          sort: state.sort,
          compareMode: state.compareMode,
          infoOpen: state.infoOpen,
          queueClearedBefore: state.queueClearedBefore,
        }),
        merge: (persisted, current) => {
          const saved = (persisted ?? {}) as Record<string, unknown>;
          const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
          const section = (SECTIONS as readonly unknown[]).includes(saved.section)
            ? (saved.section as Section)
            : current.section;
          const sort = saved.sort === 'captured' || saved.sort === 'added' ? saved.sort : 'name';
          const compareMode = COMPARE_MODES.includes(saved.compareMode as CompareMode)
            ? (saved.compareMode as CompareMode)
            : current.compareMode;
          return {
            ...current,
            section,
            openShootId: text(saved.openShootId),
            openAssetId: text(saved.openAssetId),
            sort,
            compareMode,
            infoOpen: saved.infoOpen === true,
            queueClearedBefore:
              typeof saved.queueClearedBefore === 'number' && Number.isFinite(saved.queueClearedBefore)
                ? saved.queueClearedBefore
                : 0,
          };
        },
      },
    ),
  );
}

/** Wires engine events into the store; returns a function that unwires them. */
export function followEngineEvents(client: ApiClient, store: AppStore): () => void {
  const unsubscribers = [
    client.on('shoots.created', (shoot) => store.getState().shootCreated(shoot)),
    client.on('shoots.updated', (shoot) => store.getState().shootRenamed(shoot)),
    client.on('shoots.deleted', ({ id, mergedInto }) => store.getState().shootRemoved(id, mergedInto)),
    client.on('settings.changed', (settings) => store.getState().settingsChanged(settings)),
    client.on('asset.added', (asset) => store.getState().assetChanged(asset)),
    client.on('asset.updated', (asset) => store.getState().assetChanged(asset)),
    client.on('assets.culled', ({ culled }) => store.getState().assetsCulled(culled)),
    client.on('job.updated', (job) => store.getState().jobChanged(job)),
    client.on('variant.updated', (variant) => store.getState().variantChanged(variant)),
  ];
  return () => unsubscribers.forEach((unsubscribe) => unsubscribe());
}
