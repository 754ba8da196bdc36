import type { IpcMainInvokeEvent } from 'electron';
import { describe, expect, it } from 'vitest';
import { bindDesktopShell } from '../../main/app/ipc';
import { silentLogger } from '../../main/engine/log';
import { ipcChannel } from '../../shared/api';

const ENTRY = 'file:///app/renderer/index.html';
type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

/** Our real handlers on a stand-in ipcMain; the event says which window and page called. */
function bound() {
  const handlers = new Map<string, Handler>();
  const calls = { picks: 0, shown: [] as string[] };
  bindDesktopShell(
    { handle: (channel: string, handler: Handler) => void handlers.set(channel, handler) },
    {
      pickFolder: () => {
        calls.picks += 1;
        return Promise.resolve('/picked/folder');
      },
      showItemInFolder: (file) => void calls.shown.push(file),
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
