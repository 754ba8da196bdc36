import { useEffect } from 'react';
import { useApp, useAppStore, useDesktop } from '../store/context';
import { pressMenuCommand } from './menu-press';

/**
 * The page's side of the desktop shell (absent in a browser): menu clicks press their keys, the
 * shell's "go there" (a notification, the tray, the last view at start) is followed, the place the
 * user is at is reported so the app reopens there, and `online`/`offline` are passed on (the main
 * process has no such events) so providers are probed at once when the network is back.
 */
export function useDesktopShell(): void {
  const desktop = useDesktop();
  const section = useApp((state) => state.section);
  const openShootId = useApp((state) => state.openShootId);
  const setSection = useApp((state) => state.setSection);
  const openShoot = useApp((state) => state.openShoot);
  const store = useAppStore();

  useEffect(() => {
    if (!desktop) return undefined;
    const stops = [
      desktop.onMenuCommand((command) => {
        pressMenuCommand(command, document.activeElement ?? document.body);
      }),
      desktop.onNavigate((view) => {
        setSection(view.section);
        // The same shoot stays as it is (its open photo too); another one opens.
        if (view.section === 'shoots' && store.getState().openShootId !== view.shootId) openShoot(view.shootId);
      }),
    ];
    const online = (): void => desktop.reportNetwork(true);
    const offline = (): void => desktop.reportNetwork(false);
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    if (!navigator.onLine) offline();
    return () => {
      stops.forEach((stop) => stop());
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
    };
  }, [desktop, setSection, openShoot, store]);

  useEffect(() => {
    desktop?.rememberView({ section, shootId: section === 'shoots' ? openShootId : null });
  }, [desktop, section, openShootId]);
}
