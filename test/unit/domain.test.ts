import { describe, expect, it } from 'vitest';
import { SettingsPatchSchema, SettingsSchema, ShootNameSchema, shootNameFromFolder } from '../../shared/domain';

describe('ShootNameSchema', () => {
  it('trims and accepts ordinary names, including non-Latin ones', () => {
    expect(ShootNameSchema.parse('  Maison Dupont – été  ')).toBe('Maison Dupont – été');
    expect(ShootNameSchema.parse('東京 スタジオ')).toBe('東京 スタジオ');
  });

  it.each(['', '   ', 'a/b', 'a\\b', 'tab\there', 'x'.repeat(256), '..'])('refuses %j', (name) => {
    expect(ShootNameSchema.safeParse(name).success).toBe(false);
  });

  it('makes any folder name follow the same rule, so a shoot made from a folder can be renamed to its own name', () => {
    const cases: [string, string][] = [
      ['  Maple St ', 'Maple St'],
      ['Pier\u0007 7', 'Pier 7'],
      ['a\\b', 'a-b'],
      ['..', 'Untitled shoot'],
      ['\u0001', 'Untitled shoot'],
      ['é'.repeat(300), 'é'.repeat(255)],
      // A character outside the BMP is two UTF-16 units: never cut in half.
      ['x'.repeat(254) + '📷', 'x'.repeat(254)],
    ];
    for (const [folder, name] of cases) {
      expect(shootNameFromFolder(folder)).toBe(name);
      expect(ShootNameSchema.parse(name)).toBe(name);
    }
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
