import { COMMANDS, type CommandId, type CommandScope, type KeyBinding } from '../../shared/commands';
import type { MenuCommand } from '../../shared/desktop';

/**
 * The application menu, drawn from the command table (shared/commands.ts) like the shortcut sheet,
 * so menu, sheet and key handlers cannot drift apart. The page handles its own keys; a menu item is
 * another way to press one. Keys without a modifier (P, X, 1–5, B, E, [, ]) are shown but never
 * registered as accelerators, so typing them in a text field types them. A registered accelerator
 * fires the item only when the page left the key unhandled (Chromium hands keys to the page first),
 * so such a click does nothing more: the key meant nothing where the user was.
 */

/** A menu item as Electron's Menu.buildFromTemplate takes it (the part used here). */
export interface MenuItemSpec {
  id?: string;
  label?: string;
  role?: MenuRole;
  type?: 'separator' | 'submenu';
  accelerator?: string;
  registerAccelerator?: boolean;
  enabled?: boolean;
  submenu?: MenuItemSpec[];
  click?: (item: unknown, window: unknown, event: { triggeredByAccelerator?: boolean }) => void;
}

export type MenuRole =
  | 'about'
  | 'hide'
  | 'hideOthers'
  | 'unhide'
  | 'quit'
  | 'close'
  | 'undo'
  | 'redo'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'selectAll'
  | 'reload'
  | 'forceReload'
  | 'toggleDevTools'
  | 'resetZoom'
  | 'zoomIn'
  | 'zoomOut'
  | 'togglefullscreen'
  | 'minimize'
  | 'zoom'
  | 'front'
  | 'windowMenu';

/** Commands that are not menu items, and why. */
export const NOT_IN_MENU: Partial<Record<CommandId, string>> = {
  'grid.move': 'arrows move the focus; a menu item cannot say which way',
  'slider.move': 'moves the divider the focus is on',
  'video.scrub': 'acts on the position bar the focus is on',
  'compare.loupe': 'works while the key is held',
  'mask.peek': 'works while the key is held',
  'mask.pan': 'works while the key is held',
  'dialog.close': 'only inside a dialog, which has its own close button',
};

/** Commands whose keys each mean something else (a section, a rating): one item per key. */
const ITEM_PER_KEY: Partial<Record<CommandId, (key: string, index: number) => string>> = {
  'app.section': (_key, index) =>
    ['Hot folders', 'Shoots', 'Queue', 'Export', 'Settings'][index] ?? `Section ${index + 1}`,
  'grid.rate': (key) => (key === '0' ? 'Clear the rating' : `Rate ${key} ★`),
  'photo.rate': (key) => (key === '0' ? 'Clear the variant’s rating' : `Rate the variant ${key} ★`),
};

/** Top-level menus of commands, in menu-bar order, by the scope their commands belong to. */
const COMMAND_MENUS: { label: string; scopes: CommandScope[] }[] = [
  { label: 'Go', scopes: ['global'] },
  { label: 'Review', scopes: ['review', 'grid'] },
  { label: 'Photo', scopes: ['photo', 'compare'] },
  { label: 'Video', scopes: ['video'] },
  { label: 'Mask', scopes: ['mask'] },
];

const KEY_NAMES: Readonly<Record<string, string>> = {
  ' ': 'Space',
  ArrowLeft: 'Left',
  ArrowRight: 'Right',
  ArrowUp: 'Up',
  ArrowDown: 'Down',
  Escape: 'Esc',
};

/** A table binding as an Electron accelerator ("CmdOrCtrl+Shift+Z", "P", "Space"). */
export function toAccelerator(binding: KeyBinding): string {
  const key = KEY_NAMES[binding.key] ?? (binding.key.length === 1 ? binding.key.toUpperCase() : binding.key);
  return [...(binding.mod === true ? ['CmdOrCtrl'] : []), ...(binding.shift === true ? ['Shift'] : []), key].join('+');
}

export const hasModifier = (binding: KeyBinding): boolean => binding.mod === true;

/** Accelerators the edit roles own (text fields need them, on macOS above all). */
const ROLE_ACCELERATORS = new Set([
  'CmdOrCtrl+Z',
  'CmdOrCtrl+Shift+Z',
  'CmdOrCtrl+X',
  'CmdOrCtrl+C',
  'CmdOrCtrl+V',
  'CmdOrCtrl+A',
]);

export interface MenuActions {
  /** A command item was clicked: the page runs it as if its key were pressed. */
  runCommand: (command: MenuCommand) => void;
  showLibraryFolder: () => void;
  openHome: () => void;
  checkForUpdates: () => void;
}

export interface MenuOptions {
  platform: NodeJS.Platform;
  /** Reload and developer tools only in development builds. */
  packaged: boolean;
  actions: MenuActions;
}

/** Where the table's label does not read as a menu item. */
const MENU_LABELS: Partial<Record<CommandId, string>> = { 'app.shortcuts': 'Keyboard Shortcuts' };

/** The table's label without its trailing aside: "Approve the variant (for export…)" → "Approve the variant". */
const menuLabel = (id: CommandId, label: string): string => MENU_LABELS[id] ?? label.replace(/\s*\([^)]*\)$/, '');

function commandItems(
  scopes: CommandScope[],
  actions: MenuActions,
  registered: Set<string>,
  wanted: (id: CommandId) => boolean,
): MenuItemSpec[] {
  const items: MenuItemSpec[] = [];
  const add = (id: CommandId, label: string, binding: KeyBinding, index: number): void => {
    const accelerator = toAccelerator(binding);
    // One accelerator can fire one item; the first in the menu (an edit role, or an earlier scope) keeps it.
    const register = hasModifier(binding) && !registered.has(accelerator);
    if (register) registered.add(accelerator);
    items.push({
      id: `${id}#${index}`,
      label,
      accelerator,
      registerAccelerator: register,
      click: (_item, _window, event) => {
        if (!event.triggeredByAccelerator) actions.runCommand({ id, binding: index });
      },
    });
  };
  for (const scope of scopes) {
    if (items.length > 0 && items.at(-1)?.type !== 'separator') items.push({ type: 'separator' });
    for (const command of COMMANDS) {
      if (command.scope !== scope || command.id in NOT_IN_MENU || !wanted(command.id)) continue;
      const perKey = ITEM_PER_KEY[command.id];
      if (perKey) command.keys.forEach((binding, index) => add(command.id, perKey(binding.key, index), binding, index));
      else if (command.keys[0]) add(command.id, menuLabel(command.id, command.label), command.keys[0], 0);
    }
  }
  return items;
}

const IN_HELP = (id: CommandId): boolean => id === 'app.shortcuts';

export function applicationMenu({ platform, packaged, actions }: MenuOptions): MenuItemSpec[] {
  const mac = platform === 'darwin';
  const registered = new Set(ROLE_ACCELERATORS);
  const role = (name: MenuRole): MenuItemSpec => ({ role: name });
  const separator: MenuItemSpec = { type: 'separator' };
  const showLibrary: MenuItemSpec = { label: 'Show Library Folder', click: () => actions.showLibraryFolder() };
  const appMenu: MenuItemSpec = mac
    ? {
        label: 'Shootline',
        submenu: [
          role('about'),
          separator,
          showLibrary,
          separator,
          role('hide'),
          role('hideOthers'),
          role('unhide'),
          separator,
          role('quit'),
        ],
      }
    : { label: 'File', submenu: [showLibrary, separator, role('close'), role('quit')] };
  const commandMenus = COMMAND_MENUS.map(({ label, scopes }) => ({
    label,
    submenu: commandItems(scopes, actions, registered, (id) => !IN_HELP(id)),
  }));
  return [
    appMenu,
    {
      label: 'Edit',
      submenu: [role('undo'), role('redo'), separator, role('cut'), role('copy'), role('paste'), role('selectAll')],
    },
    {
      label: 'View',
      submenu: [
        ...(packaged ? [] : [role('reload'), role('forceReload'), role('toggleDevTools'), separator]),
        role('resetZoom'),
        role('zoomIn'),
        role('zoomOut'),
        separator,
        role('togglefullscreen'),
      ],
    },
    ...commandMenus,
    ...(mac ? [role('windowMenu')] : []),
    {
      label: 'Help',
      submenu: [
        ...commandItems(['global'], actions, registered, IN_HELP),
        { label: 'Shootline Website', click: () => actions.openHome() },
        { label: 'Check for Updates…', click: () => actions.checkForUpdates() },
      ],
    },
  ];
}
