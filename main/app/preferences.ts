import { z } from 'zod';
import {
  DESKTOP_SECTIONS,
  DesktopSettingsPatchSchema,
  DesktopSettingsSchema,
  type DesktopSettings,
} from '../../shared/desktop';

/**
 * The desktop shell's own preferences (DESIGN.md: the engine's settings stay in SQLite). Kept by
 * electron-store in `<userData>/preferences.json`; this module owns the layout: one zod schema from
 * which the store's JSON schema and defaults come, a format version, and the migrations from older
 * formats. It imports no Electron, so the very options the app passes to electron-store are tested
 * with `conf`, the store electron-store is built on.
 */

/** The format written by this build; raised with a migration whenever the layout changes. */
export const PREFERENCES_FORMAT = '2.0.0';

const BoundsSchema = z.object({
  x: z.number().int().min(-100_000).max(100_000),
  y: z.number().int().min(-100_000).max(100_000),
  width: z.number().int().min(100).max(100_000),
  height: z.number().int().min(100).max(100_000),
});
export type WindowBounds = z.infer<typeof BoundsSchema>;

export type { NotificationKind, UpdateChannel } from '../../shared/desktop';

export const PreferencesSchema = z.object({
  window: z
    .object({
      /** Where the window was when it was last moved or resized (not maximised), in screen coordinates. */
      bounds: BoundsSchema.nullable(),
      maximized: z.boolean(),
    })
    .default({ bounds: null, maximized: false }),
  lastView: z
    .object({ section: z.enum(DESKTOP_SECTIONS), shootId: z.string().max(200).nullable() })
    .default({ section: 'shoots', shootId: null }),
  /** The first close to the tray says where the app went; once said, never again. */
  closeToTrayExplained: z.boolean().default(false),
  ...DesktopSettingsSchema.shape,
});
export type Preferences = z.infer<typeof PreferencesSchema>;
export type PreferenceKey = keyof Preferences;

export const DEFAULT_PREFERENCES: Preferences = PreferencesSchema.parse({});

/** What a key-value store like electron-store (or conf) offers; tests pass a real `conf`. */
export interface PreferenceStore {
  readonly store: Record<string, unknown>;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  has(key: string): boolean;
  get(key: string): unknown;
}

/**
 * Format 1 (the first desktop builds' layout) kept flat keys: `windowBounds`, `windowMaximized`,
 * `minimizeToTray`, `notify` (one switch for every kind) and `updateChannel` ('latest' or 'beta').
 * Format 2 groups them and splits notifications per kind. Each value is moved only if it is of the
 * old format's type; anything else keeps the new default.
 */
function migrateToFormat2(store: PreferenceStore): void {
  const bounds = BoundsSchema.safeParse(store.get('windowBounds'));
  const maximized = store.get('windowMaximized');
  store.set('window', {
    bounds: bounds.success ? bounds.data : null,
    maximized: typeof maximized === 'boolean' ? maximized : false,
  });
  const minimizeToTray = store.get('minimizeToTray');
  if (typeof minimizeToTray === 'boolean') store.set('closeToTray', minimizeToTray);
  const notify = store.get('notify');
  if (typeof notify === 'boolean') {
    store.set('notifications', { finished: notify, attention: notify, providers: notify, exports: notify });
  }
  const channel = store.get('updateChannel');
  if (channel === 'beta' || channel === 'latest') {
    store.set('updates', { channel: channel === 'beta' ? 'beta' : 'stable', check: true });
  }
  for (const old of ['windowBounds', 'windowMaximized', 'minimizeToTray', 'notify', 'updateChannel']) {
    if (store.has(old)) store.delete(old);
  }
}

/**
 * The options for electron-store (and, in tests, `conf`): the file name, the JSON schema and
 * defaults derived from the zod schema, the format version and its migrations. A file that does
 * not parse or breaks the schema is replaced by the defaults instead of keeping the app from
 * starting: these are conveniences, never the user's work.
 */
export function preferencesStoreOptions() {
  const jsonSchema = z.toJSONSchema(PreferencesSchema, { io: 'input' }) as { properties: Record<string, object> };
  return {
    name: 'preferences',
    schema: jsonSchema.properties,
    defaults: DEFAULT_PREFERENCES,
    clearInvalidConfig: true,
    projectVersion: PREFERENCES_FORMAT,
    migrations: { '2.0.0': migrateToFormat2 } as Record<string, (store: PreferenceStore) => void>,
  };
}

/** Typed reads and checked writes over the store: a value of the wrong shape is never written. */
export class DesktopPreferences {
  constructor(private readonly store: PreferenceStore) {}

  read(): Preferences {
    const parsed = PreferencesSchema.safeParse(this.store.store);
    return parsed.success ? parsed.data : DEFAULT_PREFERENCES;
  }

  get<K extends PreferenceKey>(key: K): Preferences[K] {
    return this.read()[key];
  }

  set<K extends PreferenceKey>(key: K, value: Preferences[K]): void {
    const checked = PreferencesSchema.shape[key].parse(value) as Preferences[K];
    this.store.set(key, checked);
  }

  /** What the Settings page shows and may change. */
  settings(): DesktopSettings {
    const all = this.read();
    return Object.fromEntries(
      Object.keys(DesktopSettingsSchema.shape).map((key) => [key, all[key as keyof DesktopSettings]]),
    ) as DesktopSettings;
  }

  /** A change from the Settings page, checked whole before any of it is written (throws a ZodError). */
  updateSettings(patch: unknown): DesktopSettings {
    const checked = DesktopSettingsPatchSchema.parse(patch);
    for (const [key, value] of Object.entries(checked)) {
      if (value !== undefined) this.store.set(key, value);
    }
    return this.settings();
  }
}
