import { useEffect, useState } from 'react';
import { matchCommand } from '../../shared/commands';
import { ConnectionBanner } from './components/ConnectionBanner';
import { ErrorBanner } from './components/ErrorBanner';
import { Sidebar } from './components/Sidebar';
import { useApp } from './store/context';
import { SECTIONS, type Section } from './store/store';
import { HotFoldersView } from './views/HotFoldersView';
import { SettingsView } from './views/SettingsView';
import { ShootsSection } from './views/ShootsView';
import { QueueView } from './views/queue/QueueView';
import { ExportView } from './views/export/ExportView';
import { ProviderBanners } from './components/ProviderBanners';
import { ShortcutSheet } from './components/ShortcutSheet';
import { DropTarget } from './components/DropTarget';
import { BannerHostContext } from './components/banner-host';
import { Flash } from './components/Flash';
import { useDesktopShell } from './desktop/use-desktop-shell';

const VIEWS: Record<Section, () => React.JSX.Element> = {
  'hot-folders': HotFoldersView,
  shoots: ShootsSection,
  queue: QueueView,
  export: ExportView,
  settings: SettingsView,
};

export function App(): React.JSX.Element {
  const section = useApp((state) => state.section);
  const setSection = useApp((state) => state.setSection);
  const View = VIEWS[section];
  const [bannerHost, setBannerHost] = useState<HTMLElement | null>(null);
  useDesktopShell();

  // Ctrl/Cmd+1…5 jump between sections, as in most desktop photo tools.
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (matchCommand('global', event)?.id !== 'app.section') return;
      const target = SECTIONS[Number(event.key) - 1];
      if (target) {
        event.preventDefault();
        setSection(target);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setSection]);

  return (
    <div className="app">
      <Sidebar />
      <main className="content">
        <BannerHostContext.Provider value={bannerHost}>
          <DropTarget>
            <View />
          </DropTarget>
        </BannerHostContext.Provider>
        <ShortcutSheet />
      </main>
      {/* Laid over the window, so a message coming or going never moves what is under the pointer. */}
      <div className="banner-stack" aria-live="polite">
        <ConnectionBanner />
        <ErrorBanner />
        <BannerHostContext.Provider value={bannerHost}>
          <ProviderBanners onOpenSettings={() => setSection('settings')} />
        </BannerHostContext.Provider>
        <div className="banner-stack-views" ref={setBannerHost} />
      </div>
      <Flash />
    </div>
  );
}
