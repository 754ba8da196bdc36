import { describe, expect, it } from 'vitest';
import {
  applicationMenu,
  hasModifier,
  NOT_IN_MENU,
  toAccelerator,
  type MenuActions,
  type MenuItemSpec,
} from '../../main/app/menu';
import { COMMANDS, matchCommand, pressFor } from '../../shared/commands';
import type { MenuCommand } from '../../shared/desktop';

function recordingActions() {
  const ran: MenuCommand[] = [];
  const calls: string[] = [];
  const actions: MenuActions = {
    runCommand: (command) => ran.push(command),
    showLibraryFolder: () => calls.push('library'),
    openHome: () => calls.push('home'),
    checkForUpdates: () => calls.push('updates'),
  };
  return { actions, ran, calls };
}

function flatten(items: MenuItemSpec[]): MenuItemSpec[] {
  return items.flatMap((item) => [item, ...flatten(item.submenu ?? [])]);
}

function menuFor(platform: NodeJS.Platform, packaged = true) {
  const recorded = recordingActions();
  const items = flatten(applicationMenu({ platform, packaged, actions: recorded.actions }));
  const commandItems = items.filter((item) => item.id?.includes('#'));
  const byId = new Map(commandItems.map((item) => [item.id ?? '', item]));
  return { ...recorded, items, commandItems, byId };
}

const commandOf = (item: MenuItemSpec) => {
  const [id, index] = (item.id ?? '').split('#');
  const command = COMMANDS.find((candidate) => candidate.id === id);
  const binding = command?.keys[Number(index)];
  if (!command || !binding) throw new Error(`menu item ${item.id} names no binding of the table`);
  return { command, binding };
};

describe('the application menu, drawn from the command table', () => {
  it.each(['linux', 'win32', 'darwin'] as const)('on %s: every item’s accelerator is its command’s key', (platform) => {
    const { commandItems } = menuFor(platform);
    expect(commandItems.length).toBeGreaterThan(30);
    for (const item of commandItems) {
      const { command, binding } = commandOf(item);
      expect(item.accelerator, item.id).toBe(toAccelerator(binding));
      // Clicking it presses that key for the page: the press must mean this very command.
      expect(matchCommand(command.scope, pressFor(binding))?.id, item.id).toBe(command.id);
    }
  });

  it('holds every command of the table but those left out for a reason', () => {
    const { commandItems } = menuFor('linux');
    const inMenu = new Set(commandItems.map((item) => commandOf(item).command.id));
    for (const command of COMMANDS) {
      expect(inMenu.has(command.id) || command.id in NOT_IN_MENU, command.id).toBe(true);
      expect(inMenu.has(command.id) && command.id in NOT_IN_MENU, `${command.id} both in and out`).toBe(false);
    }
    // One item per key where each key means something else.
    for (const id of ['app.section', 'grid.rate', 'photo.rate']) {
      const command = COMMANDS.find((candidate) => candidate.id === id);
      const items = commandItems.filter((item) => item.id?.startsWith(`${id}#`));
      expect(items.map((item) => item.accelerator)).toEqual(command?.keys.map(toAccelerator));
    }
  });

  it('shows keys without a modifier but never registers them, so typing in a field types them', () => {
    const { commandItems, byId } = menuFor('linux');
    expect(byId.get('grid.pick#0')).toMatchObject({ accelerator: 'P', registerAccelerator: false });
    expect(byId.get('mask.brush#0')).toMatchObject({ accelerator: 'B', registerAccelerator: false });
    expect(byId.get('mask.smaller#0')).toMatchObject({ accelerator: '[', registerAccelerator: false });
    expect(byId.get('grid.rate#3')).toMatchObject({ accelerator: '3', registerAccelerator: false });
    let unmodified = 0;
    for (const item of commandItems) {
      if (hasModifier(commandOf(item).binding)) continue;
      unmodified += 1;
      expect(item.registerAccelerator, item.id).toBe(false);
    }
    expect(unmodified).toBeGreaterThan(20);
  });

  it('registers each key with a modifier once, unless an edit role owns it for text fields', () => {
    const { items, commandItems, byId } = menuFor('win32');
    const registered = commandItems.filter((item) => item.registerAccelerator === true).map((item) => item.accelerator);
    expect(new Set(registered).size).toBe(registered.length);
    expect(registered).toEqual(expect.arrayContaining(['CmdOrCtrl+1', 'CmdOrCtrl+5', 'CmdOrCtrl+S', 'CmdOrCtrl+I']));
    const tableModified = new Set(
      COMMANDS.filter((command) => !(command.id in NOT_IN_MENU)).flatMap((command) =>
        command.keys.filter(hasModifier).map(toAccelerator),
      ),
    );
    const roles = new Set(items.map((item) => item.role));
    for (const accelerator of tableModified) {
      const owned = ['CmdOrCtrl+Z', 'CmdOrCtrl+Shift+Z', 'CmdOrCtrl+A'].includes(accelerator);
      if (owned) expect(registered, accelerator).not.toContain(accelerator);
      // Only first bindings are items; an alternate (Ctrl+Y for redo) stays the page's own key.
      else if (commandItems.some((item) => item.accelerator === accelerator))
        expect(registered, accelerator).toContain(accelerator);
    }
    for (const role of ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll'] as const) {
      expect(roles.has(role), role).toBe(true);
    }
    expect(byId.get('review.undo#0')).toMatchObject({ accelerator: 'CmdOrCtrl+Z', registerAccelerator: false });
  });

  it('a click presses the key for the page; an accelerator the page left unhandled does nothing more', () => {
    const { byId, ran } = menuFor('linux');
    byId.get('grid.pick#0')?.click?.(undefined, undefined, { triggeredByAccelerator: false });
    byId.get('app.section#2')?.click?.(undefined, undefined, {});
    byId.get('mask.save#0')?.click?.(undefined, undefined, { triggeredByAccelerator: true });
    expect(ran).toEqual([
      { id: 'grid.pick', binding: 0 },
      { id: 'app.section', binding: 2 },
    ]);
  });

  it('has the platform’s own menus, the library folder, help and no developer tools when packaged', () => {
    const mac = menuFor('darwin');
    expect(mac.items.map((item) => item.role)).toEqual(expect.arrayContaining(['about', 'hide', 'windowMenu', 'quit']));
    const linux = menuFor('linux');
    expect(linux.items.map((item) => item.role)).not.toContain('about');
    expect(linux.items.map((item) => item.role)).not.toContain('toggleDevTools');
    expect(menuFor('linux', false).items.map((item) => item.role)).toContain('toggleDevTools');
    const click = (label: string): void =>
      linux.items.find((item) => item.label === label)?.click?.(undefined, undefined, {});
    click('Show Library Folder');
    click('Shootline Website');
    click('Check for Updates…');
    expect(linux.calls).toEqual(['library', 'home', 'updates']);
    expect(linux.byId.get('app.shortcuts#0')).toMatchObject({ label: 'Keyboard Shortcuts', accelerator: '?' });
  });
});
