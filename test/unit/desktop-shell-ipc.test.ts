import type { IpcMainInvokeEvent } from 'electron';
import { describe, expect, it } from 'vitest';
import { bindDesktopShell } from '../../main/app/ipc';
import { silentLogger } from '../../main/engine/log';
import { ipcChannel } from '../../shared/api';
import { DEFAULT_PREFERENCES } from '../../main/app/preferences';
import type { DesktopView } from '../../shared/desktop';

const ENTRY = 'file:///app/renderer/index.html';
type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

/** Our real handlers on a stand-in ipcMain; the event says which window and page called. */
function bound() {
  const handlers = new Map<string, Handler>();
  const calls = {
    picks: 0,
    shown: [] as string[],
    views: [] as DesktopView[],
    network: [] as boolean[],
    settings: [] as unknown[],
  };
  bindDesktopShell(
    { handle: (channel: string, handler: Handler) => void handlers.set(channel, handler) },
    {
      pickFolder: () => {
        calls.picks += 1;
        return Promise.resolve('/picked/folder');
      },
      showItemInFolder: (file) => void calls.shown.push(file),
      rememberView: (view) => void calls.views.push(view),
      network: (online) => void calls.network.push(online),
      settings: () => DEFAULT_PREFERENCES,
      updateSettings: (patch) => {
        calls.settings.push(patch);
        return Promise.resolve({ ok: true, result: { ...DEFAULT_PREFERENCES, ...patch } });
      },
      checkForUpdates: () => Promise.resolve('none'),
    },
    { trustedWebContentsIds: new Set([1]), entryUrl: ENTRY },
    silentLogger,
  );
  const event = (id: number, url = ENTRY) =>
    ({ sender: { id }, senderFrame: { url, parent: null } }) as unknown as IpcMainInvokeEvent;
  const invoke = (channel: string, from: IpcMainInvokeEvent, ...args: unknown[]) =>
    handlers.get(channel)?.(from, ...args);
  return { calls, event, invoke };
}

describe('the desktop-only IPC (folder picker, show in folder)', () => {
  it('answers the main window only', async () => {
    const { calls, event, invoke } = bound();
    expect(await invoke(ipcChannel.pickFolder, event(1))).toBe('/picked/folder');
    expect(await invoke(ipcChannel.pickFolder, event(2))).toBeNull();
    expect(await invoke(ipcChannel.pickFolder, event(1, 'https://evil.example/'))).toBeNull();
    expect(calls.picks).toBe(1);
  });

  it('shows only absolute paths of files that exist, and only for the main window', async () => {
    const { calls, event, invoke } = bound();
    await invoke(ipcChannel.showItemInFolder, event(1), import.meta.filename);
    await invoke(ipcChannel.showItemInFolder, event(1), 'relative/file.jpg');
    await invoke(ipcChannel.showItemInFolder, event(1), '/no/such/file.jpg');
    await invoke(ipcChannel.showItemInFolder, event(1), { path: import.meta.filename });
    await invoke(ipcChannel.showItemInFolder, event(2), import.meta.filename);
    expect(calls.shown).toEqual([import.meta.filename]);
  });
});

describe('where the page is, the network, and the desktop settings', () => {
  it('keeps only well-formed views from the main window', async () => {
    const { calls, event, invoke } = bound();
    await invoke(ipcChannel.rememberView, event(1), { section: 'queue', shootId: null });
    await invoke(ipcChannel.rememberView, event(1), { section: 'shoots', shootId: 'shoot-1' });
    await invoke(ipcChannel.rememberView, event(1), { section: 'nowhere', shootId: null });
    await invoke(ipcChannel.rememberView, event(1), { section: 'queue', shootId: 'x'.repeat(201) });
    // Parsed as the IPC would deliver it: `__proto__` as an own key, not a prototype.
    await invoke(
      ipcChannel.rememberView,
      event(1),
      JSON.parse('{"section":"queue","shootId":null,"__proto__":{"x":1}}'),
    );
    await invoke(ipcChannel.rememberView, event(1), { section: 'queue', shootId: null, extra: 1 });
    await invoke(ipcChannel.rememberView, event(1), 'queue');
    await invoke(ipcChannel.rememberView, event(2), { section: 'export', shootId: null });
    expect(calls.views).toEqual([
      { section: 'queue', shootId: null },
      { section: 'shoots', shootId: 'shoot-1' },
    ]);
  });

  it('hears the network come and go from the main window only, as a boolean', async () => {
    const { calls, event, invoke } = bound();
    await invoke(ipcChannel.network, event(1), true);
    await invoke(ipcChannel.network, event(1), false);
    await invoke(ipcChannel.network, event(1), 'yes');
    await invoke(ipcChannel.network, event(3), true);
    expect(calls.network).toEqual([true, false]);
  });

  it('changes settings only when the whole change is acceptable, and says which value is not', async () => {
    const { calls, event, invoke } = bound();
    expect(await invoke(ipcChannel.updateDesktopSettings, event(1), { closeToTray: false })).toMatchObject({
      ok: true,
      result: { closeToTray: false },
    });
    const refused = (await invoke(ipcChannel.updateDesktopSettings, event(1), {
      startAtLogin: true,
      crashReports: { upload: true, url: 'http://crash.example/' },
    })) as { ok: boolean; error: { code: string; message: string } };
    expect(refused.ok).toBe(false);
    expect(refused.error.code).toBe('invalid_input');
    expect(refused.error.message).toContain('crashReports.url: Crash reports go only to an https:// address.');
    expect(await invoke(ipcChannel.updateDesktopSettings, event(1), { windowBounds: {} })).toMatchObject({ ok: false });
    expect(await invoke(ipcChannel.updateDesktopSettings, event(2), { closeToTray: true })).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
    expect(await invoke(ipcChannel.desktopSettings, event(2))).toBeNull();
    expect(calls.settings).toEqual([{ closeToTray: false }]);
  });
});
