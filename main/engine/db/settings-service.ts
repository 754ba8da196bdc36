import { SettingsPatchSchema, SettingsSchema, type Settings, type SettingsPatch } from '../../../shared/domain';
import type { Db } from './connection';
import { readStoredSettings, writeSettings } from './settings-repo';
import type { Logger } from '../log';

/**
 * Settings are stored one key per row. On read, each stored value is checked against its schema:
 * a value this version cannot use (written by another version, or damaged) falls back to the
 * default for that key alone instead of failing the whole read.
 */
export function loadSettings(db: Db, log: Logger): Settings {
  const settings: Record<string, unknown> = SettingsSchema.parse({});
  const fields = SettingsPatchSchema.shape as Record<string, { safeParse(value: unknown): { success: boolean } }>;
  for (const stored of readStoredSettings(db)) {
    const field = Object.hasOwn(fields, stored.key) ? fields[stored.key] : undefined;
    if (stored.ok && field?.safeParse(stored.value).success) settings[stored.key] = stored.value;
    else log.warn('settings.ignored_stored_value', { key: stored.key });
  }
  return settings as Settings;
}

export function saveSettings(db: Db, patch: SettingsPatch, now: () => number): void {
  const entries = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  writeSettings(db, entries, now);
}

/** The retry limit new jobs get (a bad stored value falls back to the default, like every setting). */
export function retryLimitSetting(db: Db): number {
  const stored = readStoredSettings(db).find((entry) => entry.key === 'retryLimit');
  const parsed = SettingsPatchSchema.shape.retryLimit.safeParse(stored?.ok ? stored.value : undefined);
  return parsed.success && parsed.data !== undefined ? parsed.data : SettingsSchema.parse({}).retryLimit;
}
