import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dividerAfterKey } from '../../renderer/src/components/compare/divider';
import { COMMANDS, matchCommand, type CommandScope, type KeyPress } from '../../shared/commands';
import { GESTURES, shortcutSections } from '../../renderer/src/shortcut-sheet';

const press = (key: string, modifiers: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...modifiers,
});

/** Every key a user can reasonably press, with every combination of Ctrl/⌘ and Shift. */
const PRESSES: KeyPress[] = [
  ...'abcdefghijklmnopqrstuvwxyz0123456789?\\/[]-=;,. '.split(''),
  ...[
    'ArrowLeft',
    'ArrowRight',
    'ArrowUp',
    'ArrowDown',
    'Home',
    'End',
    'PageUp',
    'PageDown',
    'Enter',
    'Escape',
    'Tab',
    'Delete',
    'Backspace',
  ],
].flatMap((key) =>
  [false, true].flatMap((ctrlKey) => [false, true].map((shiftKey) => press(key, { ctrlKey, shiftKey }))),
);

const SCOPES: CommandScope[] = ['global', 'review', 'grid', 'photo', 'compare', 'slider', 'video', 'dialog', 'mask'];

describe('the command table', () => {
  it('gives a key one meaning per scope, with the global commands always in force', () => {
    // The photo view has two scopes at once (photo and compare): they must not share a key either.
    const together: CommandScope[][] = [
      ['global', 'review', 'grid'],
      ['global', 'review', 'photo', 'compare'],
      ['global', 'mask'],
      ['slider'],
      ['video'],
      ['dialog'],
    ];
    for (const scopes of together) {
      for (const key of PRESSES) {
        const meanings = scopes.flatMap((scope) => {
          const found = matchCommand(scope, key);
          return found ? [found.id] : [];
        });
        expect(
          meanings.length,
          `${JSON.stringify(key)} in ${scopes.join('+')}: ${meanings.join(', ')}`,
        ).toBeLessThanOrEqual(1);
      }
    }
  });

  it('finds the commands the table lists, and nothing else', () => {
    expect(matchCommand('grid', press('P'))?.id).toBe('grid.pick');
    expect(matchCommand('photo', press('p', { shiftKey: true }))?.id).toBe('photo.pick');
    expect(matchCommand('global', press('3', { metaKey: true }))?.id).toBe('app.section');
    expect(matchCommand('global', press('3'))).toBeNull();
    expect(matchCommand('grid', press('ArrowDown', { ctrlKey: true, shiftKey: true }))?.id).toBe('grid.move');
    expect(matchCommand('grid', press('p', { altKey: true }))).toBeNull();
    expect(matchCommand('photo', press('q'))).toBeNull();
    // Every command is reachable by one of its own keys.
    for (const command of COMMANDS) {
      const [binding] = command.keys;
      if (!binding) throw new Error(`${command.id} has no key`);
      const modifiers = {
        ctrlKey: 'mod' in binding && binding.mod === true,
        shiftKey: 'shift' in binding && binding.shift === true,
      };
      expect(matchCommand(command.scope, press(binding.key, modifiers))?.id, command.id).toBe(command.id);
    }
  });

  it('draws the shortcut sheet from the table: every command and gesture, nothing else', () => {
    const rows = shortcutSections().flatMap((section) => section.rows.map((row) => `${row.keys} — ${row.label}`));
    const expected = [...GESTURES, ...COMMANDS].map((entry) => `${entry.shown} — ${entry.label}`);
    expect([...rows].sort()).toEqual([...expected].sort());
    expect(shortcutSections().map((section) => section.title)).toContain('Photo and variants');
    expect(SCOPES.length).toBe(9);
  });

  it('moves the compare divider only for the keys the slider command lists', () => {
    const listed = new Set(
      COMMANDS.find((command) => command.id === 'slider.move')?.keys.map((binding) => binding.key),
    );
    for (const key of PRESSES.map((entry) => entry.key)) {
      expect(dividerAfterKey(50, key) !== null, key).toBe(listed.has(key));
    }
  });

  it('has no key handler outside the table: no component compares a key to a literal itself', () => {
    const root = path.resolve(import.meta.dirname, '..', '..', 'renderer', 'src');
    const files = fs
      .readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.(ts|tsx)$/.test(file) && file !== 'commands.ts');
    // A key event's key compared to anything, or a key compared to a non-empty literal, or a case of a key name.
    const answering =
      /\bevent\.key(\.toLowerCase\(\))?\s*[!=]==|\bkey(\.toLowerCase\(\))?\s*[!=]==\s*['"`][^'"`]|case\s+'(Arrow\w+|Escape|Enter|Home|End|Page\w+|\w)'\s*:/;
    const offenders: string[] = [];
    for (const file of files) {
      const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
      lines.forEach((line, index) => {
        // The divider's key → position map answers only after the slider command matched (checked above).
        if (file.endsWith('compare/divider.ts') && /case '(Arrow\w+|Page\w+|Home|End)':/.test(line)) return;
        if (answering.test(line)) offenders.push(`${file}:${index + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
