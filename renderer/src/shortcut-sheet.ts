import { COMMANDS, type CommandId, type CommandScope } from '../../shared/commands';

/**
 * The shortcut sheet and the one-line hints, drawn from the command table (commands.ts): the
 * table says what each key does, this file how the UI lists it.
 */

/** Pointer gestures the sheet lists beside the keys: not commands, nothing answers them by key. */
export const GESTURES: readonly { scope: CommandScope; shown: string; label: string }[] = [
  { scope: 'grid', shown: 'Click · Shift-click · Ctrl/⌘-click', label: 'Select one · a range · add or remove' },
  { scope: 'grid', shown: 'Double-click', label: 'Open the photo' },
  { scope: 'mask', shown: 'Drag · right-drag · Alt-drag', label: 'Paint · erase · erase' },
  { scope: 'mask', shown: 'Shift-click', label: 'A straight line from the last point' },
  { scope: 'mask', shown: 'Alt + right-drag', label: 'Brush size (sideways) and hardness (up and down)' },
  { scope: 'mask', shown: 'Middle-drag · wheel', label: 'Pan · zoom' },
];

/** The titles of the shortcut sheet's sections, in order. */
export const SCOPE_TITLES: Readonly<Record<CommandScope, string>> = {
  global: 'Everywhere',
  review: 'Shoot grid and photo view',
  grid: 'Shoot grid',
  photo: 'Photo and variants',
  compare: 'Comparing',
  slider: 'Compare slider (when it has the focus)',
  video: 'Video player (when it has the focus)',
  dialog: 'Dialogs',
  mask: 'Mask editor',
};

/** A one-line hint from the table: "P pick · X reject · …", in the order given. */
export function hintFor(ids: readonly CommandId[]): string {
  return ids
    .map((id) => COMMANDS.find((command) => command.id === id))
    .map((command) => (command ? `${command.shown} ${'short' in command ? command.short : command.label}` : ''))
    .filter(Boolean)
    .join(' · ');
}

/** The sheet's sections: every command and pointer gesture of the table, by scope, in its order. */
export function shortcutSections(): { title: string; rows: { keys: string; label: string }[] }[] {
  const scopes = Object.keys(SCOPE_TITLES) as CommandScope[];
  return scopes
    .map((scope) => ({
      title: SCOPE_TITLES[scope],
      rows: [
        ...GESTURES.filter((gesture) => gesture.scope === scope).map((gesture) => ({
          keys: gesture.shown,
          label: gesture.label,
        })),
        ...COMMANDS.filter((command) => command.scope === scope).map((command) => ({
          keys: command.shown,
          label: command.label,
        })),
      ],
    }))
    .filter((section) => section.rows.length > 0);
}
