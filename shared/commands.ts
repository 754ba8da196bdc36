/**
 * Every keyboard command of the UI, defined once with its keys and where it applies. The key
 * handlers answer only what `matchCommand` finds here, and the shortcut sheet and the desktop's
 * application menu (main/app/menu.ts) are drawn from this table: a key means one thing in each
 * scope, and menu, sheet and handlers cannot drift apart (checked by tests).
 */

export type CommandScope = 'global' | 'review' | 'grid' | 'photo' | 'compare' | 'slider' | 'video' | 'dialog' | 'mask';

export interface KeyBinding {
  /** `KeyboardEvent.key`; single letters match either case. */
  key: string;
  /** Ctrl (or ⌘ on a Mac): true held, false (the default) not held, 'any' either way. */
  mod?: boolean | 'any';
  /** Shift: true or false to require it either way; left out, Shift does not matter. */
  shift?: boolean;
}

export interface Command {
  id: string;
  scope: CommandScope;
  /** What it does, as the shortcut sheet says it. */
  label: string;
  keys: readonly KeyBinding[];
  /** How the sheet writes its keys (or, for a pointer gesture, the gesture). */
  shown: string;
  /** A word or two for a one-line hint ("pick", "before/after"); the label when absent. */
  short?: string;
}

const keys = (...names: string[]): KeyBinding[] => names.map((key) => ({ key }));
const DIGITS_0_5 = keys('0', '1', '2', '3', '4', '5');
const MOVE_NAMES = ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown'];
/** In the grid, Ctrl/⌘ and Shift change how a move selects, so they do not make it another command. */
const GRID_MOVES = MOVE_NAMES.map((key) => ({ key, mod: 'any' as const }));
const MOVES = keys(...MOVE_NAMES);

export const COMMANDS = [
  {
    id: 'app.section',
    scope: 'global',
    label: 'Hot folders, Shoots, Queue, Export, Settings',
    keys: ['1', '2', '3', '4', '5'].map((key) => ({ key, mod: true, shift: false })),
    shown: 'Ctrl/⌘ 1–5',
  },
  { id: 'app.shortcuts', scope: 'global', label: 'This sheet', keys: keys('?'), shown: '?' },

  {
    id: 'review.undo',
    scope: 'review',
    label: 'Undo the last flag, rating or approval (a whole selection at once)',
    keys: [{ key: 'z', mod: true, shift: false }],
    shown: 'Ctrl/⌘ Z',
    short: 'undo',
  },
  {
    id: 'review.redo',
    scope: 'review',
    label: 'Redo',
    keys: [
      { key: 'z', mod: true, shift: true },
      { key: 'y', mod: true, shift: false },
    ],
    shown: 'Ctrl/⌘ Shift Z · Ctrl Y',
  },
  {
    id: 'review.info',
    scope: 'review',
    label: 'Show or hide the info panel',
    keys: keys('i'),
    shown: 'I',
    short: 'info',
  },

  {
    id: 'grid.move',
    scope: 'grid',
    label: 'Move (Shift extends the selection)',
    keys: GRID_MOVES,
    shown: 'Arrows · Home · End · Page Up/Down',
  },
  {
    id: 'grid.selectAll',
    scope: 'grid',
    label: 'Select all',
    keys: [{ key: 'a', mod: true, shift: false }],
    shown: 'Ctrl/⌘ A',
  },
  {
    id: 'grid.toggle',
    scope: 'grid',
    label: 'Add or remove the focused photo',
    keys: [{ key: ' ', mod: true, shift: false }],
    shown: 'Ctrl/⌘ Space',
  },
  {
    id: 'grid.range',
    scope: 'grid',
    label: 'Select up to the focused photo',
    keys: [{ key: ' ', shift: true }],
    shown: 'Shift Space',
  },
  { id: 'grid.clear', scope: 'grid', label: 'Clear the selection', keys: keys('Escape'), shown: 'Esc' },
  { id: 'grid.open', scope: 'grid', label: 'Open the photo', keys: [{ key: 'Enter', shift: false }], shown: 'Enter' },
  { id: 'grid.pick', scope: 'grid', label: 'Pick', keys: keys('p'), shown: 'P' },
  { id: 'grid.reject', scope: 'grid', label: 'Reject', keys: keys('x'), shown: 'X' },
  { id: 'grid.unflag', scope: 'grid', label: 'Unflag', keys: keys('u'), shown: 'U' },
  { id: 'grid.rate', scope: 'grid', label: 'Rate · clear the rating (0)', keys: DIGITS_0_5, shown: '1–5 · 0' },

  {
    id: 'photo.previousVariant',
    scope: 'photo',
    label: 'Previous variant',
    keys: keys('ArrowLeft'),
    shown: '←',
    short: 'variants',
  },
  {
    id: 'photo.nextVariant',
    scope: 'photo',
    label: 'Next variant',
    keys: keys('ArrowRight'),
    shown: '←/→',
    short: 'variants',
  },
  { id: 'photo.previousPhoto', scope: 'photo', label: 'Previous photo', keys: keys('ArrowUp'), shown: '↑' },
  { id: 'photo.nextPhoto', scope: 'photo', label: 'Next photo', keys: keys('ArrowDown'), shown: '↓', short: 'photos' },
  { id: 'photo.pick', scope: 'photo', label: 'Pick the variant', keys: keys('p'), shown: 'P', short: 'pick' },
  { id: 'photo.reject', scope: 'photo', label: 'Reject the variant', keys: keys('x'), shown: 'X', short: 'reject' },
  { id: 'photo.unflag', scope: 'photo', label: 'Unflag the variant', keys: keys('u'), shown: 'U' },
  {
    id: 'photo.rate',
    scope: 'photo',
    label: 'Rate the variant · clear (0)',
    keys: DIGITS_0_5,
    shown: '1–5',
    short: 'rate',
  },
  {
    id: 'photo.approve',
    scope: 'photo',
    label: 'Approve the variant (for export, videos and publishing)',
    keys: keys('a'),
    shown: 'A',
    short: 'approve',
  },
  {
    id: 'photo.threeUp',
    scope: 'photo',
    label: 'Person, garment and result side by side (a try-on result)',
    keys: keys('t'),
    shown: 'T',
    short: 'three-up',
  },
  {
    id: 'photo.turnLeft',
    scope: 'photo',
    label: 'Turn the photo left (when its camera got the orientation wrong)',
    keys: [{ key: '[', mod: true }],
    shown: 'Ctrl/⌘ [',
  },
  {
    id: 'photo.turnRight',
    scope: 'photo',
    label: 'Turn the photo right',
    keys: [{ key: ']', mod: true }],
    shown: 'Ctrl/⌘ ]',
    short: 'turn',
  },
  { id: 'photo.back', scope: 'photo', label: 'Back to the shoot', keys: keys('Escape'), shown: 'Esc', short: 'back' },

  {
    id: 'compare.beforeAfter',
    scope: 'compare',
    label: 'Before / after',
    keys: keys('\\'),
    shown: '\\',
    short: 'before/after',
  },
  {
    id: 'compare.mode',
    scope: 'compare',
    label: 'Compare mode: slider, side by side, toggle',
    keys: keys('y'),
    shown: 'Y',
    short: 'compare mode',
  },
  { id: 'compare.zoom', scope: 'compare', label: 'Fit / 100%', keys: keys('z'), shown: 'Z', short: 'zoom' },
  { id: 'compare.loupe', scope: 'compare', label: 'Loupe (while held)', keys: keys('l'), shown: 'L', short: 'loupe' },

  {
    id: 'slider.move',
    scope: 'slider',
    label: 'Move the divider (Shift: ten steps; Page Up/Down, Home, End)',
    keys: MOVES,
    shown: 'Arrows · Page Up/Down · Home · End',
  },

  { id: 'video.playPause', scope: 'video', label: 'Play or pause', keys: keys(' ', 'k'), shown: 'Space · K' },
  { id: 'video.previousFrame', scope: 'video', label: 'One frame back (paused)', keys: keys(','), shown: ',' },
  { id: 'video.nextFrame', scope: 'video', label: 'One frame forward (paused)', keys: keys('.'), shown: '.' },
  {
    id: 'video.scrub',
    scope: 'video',
    label: 'Scrub (on the position bar)',
    keys: keys('ArrowLeft', 'ArrowRight', 'Home', 'End'),
    shown: '← → · Home · End',
  },

  { id: 'dialog.close', scope: 'dialog', label: 'Close the dialog', keys: keys('Escape'), shown: 'Esc' },

  { id: 'mask.brush', scope: 'mask', label: 'Brush', keys: keys('b'), shown: 'B', short: 'brush' },
  { id: 'mask.eraser', scope: 'mask', label: 'Eraser', keys: keys('e'), shown: 'E', short: 'eraser' },
  {
    id: 'mask.smaller',
    scope: 'mask',
    label: 'Smaller brush',
    keys: [{ key: '[', shift: false }],
    shown: '[',
  },
  {
    id: 'mask.larger',
    scope: 'mask',
    label: 'Larger brush',
    keys: [{ key: ']', shift: false }],
    shown: '[ ]',
    short: 'size',
  },
  {
    id: 'mask.softer',
    scope: 'mask',
    label: 'Softer edge',
    keys: [{ key: '{' }, { key: '[', shift: true }],
    shown: 'Shift [',
  },
  {
    id: 'mask.harder',
    scope: 'mask',
    label: 'Harder edge',
    keys: [{ key: '}' }, { key: ']', shift: true }],
    shown: 'Shift [ ]',
    short: 'hardness',
  },
  {
    id: 'mask.overlay',
    scope: 'mask',
    label: 'Show or hide the overlay',
    keys: keys('o'),
    shown: 'O',
    short: 'overlay',
  },
  {
    id: 'mask.peek',
    scope: 'mask',
    label: 'Hide the overlay (while held)',
    keys: keys('h'),
    shown: 'H',
    short: 'peek',
  },
  {
    id: 'mask.undo',
    scope: 'mask',
    label: 'Undo the last stroke',
    keys: [{ key: 'z', mod: true, shift: false }],
    shown: 'Ctrl/⌘ Z',
    short: 'undo',
  },
  {
    id: 'mask.redo',
    scope: 'mask',
    label: 'Redo',
    keys: [
      { key: 'z', mod: true, shift: true },
      { key: 'y', mod: true, shift: false },
    ],
    shown: 'Ctrl/⌘ Shift Z · Ctrl Y',
  },
  { id: 'mask.zoom', scope: 'mask', label: 'Fit / 100%', keys: keys('z'), shown: 'Z', short: 'zoom' },
  {
    id: 'mask.pan',
    scope: 'mask',
    label: 'Pan by dragging (while held)',
    keys: [{ key: ' ', mod: false }],
    shown: 'Space',
    short: 'pan',
  },
  {
    id: 'mask.invert',
    scope: 'mask',
    label: 'Invert the mask',
    keys: [{ key: 'i', mod: true, shift: false }],
    shown: 'Ctrl/⌘ I',
  },
  {
    id: 'mask.clear',
    scope: 'mask',
    label: 'Clear the mask',
    keys: [{ key: 'Delete', shift: false }],
    shown: 'Delete',
  },
  {
    id: 'mask.fill',
    scope: 'mask',
    label: 'Fill the whole photo',
    keys: [{ key: 'Backspace', shift: true }],
    shown: 'Shift Backspace',
  },
  {
    id: 'mask.save',
    scope: 'mask',
    label: 'Save as a new version',
    keys: [{ key: 's', mod: true, shift: false }],
    shown: 'Ctrl/⌘ S',
    short: 'save',
  },
  { id: 'mask.close', scope: 'mask', label: 'Close the editor', keys: keys('Escape'), shown: 'Esc', short: 'close' },
] as const satisfies readonly Command[];

export type CommandId = (typeof COMMANDS)[number]['id'];

/** What a key event looks like to the table (a KeyboardEvent and React's both fit). */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

function matches(binding: KeyBinding, press: KeyPress): boolean {
  if (press.altKey) return false;
  const key = press.key.length === 1 ? press.key.toLowerCase() : press.key;
  if (key !== binding.key) return false;
  const mod = binding.mod ?? false;
  if (mod !== 'any' && (press.ctrlKey || press.metaKey) !== mod) return false;
  return binding.shift === undefined || binding.shift === press.shiftKey;
}

/** The command a key press means in this scope, or null: the only way a handler answers a key. */
export function matchCommand(scope: CommandScope, press: KeyPress): (typeof COMMANDS)[number] | null {
  for (const command of COMMANDS) {
    if (command.scope === scope && command.keys.some((binding) => matches(binding, press))) return command;
  }
  return null;
}

/** Is `key` one of the keys of this command, whatever the modifiers (a key released, for a held command)? */
export function isKeyOf(id: CommandId, key: string): boolean {
  const command = COMMANDS.find((candidate) => candidate.id === id);
  const normal = key.length === 1 ? key.toLowerCase() : key;
  return command?.keys.some((binding) => binding.key === normal) ?? false;
}

/** The key press a binding describes: what a menu item presses for the page when it is clicked. */
export function pressFor(binding: KeyBinding): KeyPress {
  return {
    key: binding.key,
    ctrlKey: binding.mod === true,
    metaKey: false,
    altKey: false,
    shiftKey: binding.shift === true,
  };
}
