import { describe, expect, it } from 'vitest';
import { SettingsPatchSchema, SettingsSchema, ShootNameSchema } from '../../shared/domain';

describe('ShootNameSchema', () => {
  it('trims and accepts ordinary names, including non-Latin ones', () => {
    expect(ShootNameSchema.parse('  Maison Dupont – été  ')).toBe('Maison Dupont – été');
    expect(ShootNameSchema.parse('東京 スタジオ')).toBe('東京 スタジオ');
  });

  it.each(['', '   ', 'a/b', 'a\\b', 'tab\there', 'x'.repeat(201)])('refuses %j', (name) => {
    expect(ShootNameSchema.safeParse(name).success).toBe(false);
  });
});

describe('settings schemas', () => {
  it('gives every setting a default', () => {
    expect(SettingsSchema.parse({})).toEqual({
      startQueuePaused: false,
      reconcileIntervalMinutes: 5,
      retryLimit: 8,
      creator: '',
      copyright: '',
      contactEmail: '',
      contactUrl: '',
      autoAdvance: true,
    });
  });

  it('refuses unknown keys and out-of-range values in a patch', () => {
    expect(SettingsPatchSchema.safeParse({ startQueuePaused: true }).success).toBe(true);
    expect(SettingsPatchSchema.safeParse({ unknownKey: 1 }).success).toBe(false);
    expect(SettingsPatchSchema.safeParse({ reconcileIntervalMinutes: 0 }).success).toBe(false);
    expect(SettingsPatchSchema.safeParse({ reconcileIntervalMinutes: 2.5 }).success).toBe(false);
  });
});
