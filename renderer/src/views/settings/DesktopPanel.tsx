import { useEffect, useState } from 'react';
import type { DesktopShell } from '../../../../shared/api';
import type { DesktopSettings, DesktopSettingsPatch, NotificationKind, UpdateCheck } from '../../../../shared/desktop';
import { useDesktop } from '../../store/context';
import { InlineError } from './InlineError';
import './settings-panels.css';

const NOTIFICATION_LABELS: Record<NotificationKind, string> = {
  finished: 'A shoot’s work is done',
  attention: 'Jobs need me (a review, a mask, an approval)',
  providers: 'A provider is paused (credits, key)',
  exports: 'An export finished or failed',
};

const CHECK_WORDS: Record<UpdateCheck, string> = {
  available: 'An update is available: Shootline asks before it downloads it.',
  none: 'Shootline is up to date.',
  failed: 'The update server could not be reached; Shootline tries again tomorrow.',
  off: 'This build does not update itself (a development build).',
};

/**
 * The desktop app's own preferences (shown only in the desktop app): what happens when the window
 * closes, notifications per kind, start at login, updates and crash reports.
 */
export function DesktopPanel(): React.JSX.Element | null {
  const desktop = useDesktop();
  if (!desktop) return null;
  return <DesktopSettingsForm desktop={desktop} />;
}

function DesktopSettingsForm({ desktop }: { desktop: DesktopShell }): React.JSX.Element {
  const [settings, setSettings] = useState<DesktopSettings | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [check, setCheck] = useState<string | null>(null);
  const [crashUrl, setCrashUrl] = useState('');

  useEffect(() => {
    let live = true;
    void desktop.desktopSettings().then((loaded) => {
      if (!live) return;
      setSettings(loaded);
      setCrashUrl(loaded.crashReports.url ?? '');
    });
    return () => {
      live = false;
    };
  }, [desktop]);

  const save = async (patch: DesktopSettingsPatch): Promise<void> => {
    const answer = await desktop.updateDesktopSettings(patch);
    if (answer.ok) {
      setSettings(answer.result);
      setError(null);
    } else {
      setError(answer.error.message);
    }
  };

  if (!settings) return <p className="empty">Loading desktop settings…</p>;
  // Turning sending off keeps the saved address: a half-typed one must not keep it from switching off.
  const crashUpload = (upload: boolean): void => {
    const typed = crashUrl.trim() === '' ? null : crashUrl.trim();
    void save({ crashReports: { upload, url: upload ? typed : settings.crashReports.url } });
  };
  return (
    <section className="sp-panel sp-card" aria-label="Desktop app">
      <h2 className="sp-heading">Desktop app</h2>
      <div className="settings-list">
        <label className="setting">
          <span>
            Keep running in the tray when the window is closed
            <small className="muted">
              Hot folders stay watched and the queue goes on. Quit from the tray or the menu.
            </small>
          </span>
          <input
            type="checkbox"
            checked={settings.closeToTray}
            onChange={(event) => void save({ closeToTray: event.target.checked })}
          />
        </label>
        <label className="setting">
          <span>
            Start Shootline when I log in
            <small className="muted">It opens in the tray and watches your hot folders.</small>
          </span>
          <input
            type="checkbox"
            checked={settings.startAtLogin}
            onChange={(event) => void save({ startAtLogin: event.target.checked })}
          />
        </label>
        <fieldset className="setting-group">
          <legend>Notify me when</legend>
          {(Object.keys(NOTIFICATION_LABELS) as NotificationKind[]).map((kind) => (
            <label key={kind} className="setting">
              <span>{NOTIFICATION_LABELS[kind]}</span>
              <input
                type="checkbox"
                checked={settings.notifications[kind]}
                onChange={(event) =>
                  void save({ notifications: { ...settings.notifications, [kind]: event.target.checked } })
                }
              />
            </label>
          ))}
        </fieldset>
        <label className="setting">
          <span>
            Check for updates every day
            <small className="muted">An update is offered, never installed without asking.</small>
          </span>
          <input
            type="checkbox"
            checked={settings.updates.check}
            onChange={(event) => void save({ updates: { ...settings.updates, check: event.target.checked } })}
          />
        </label>
        <label className="setting">
          <span>Update channel</span>
          <select
            aria-label="Update channel"
            value={settings.updates.channel}
            onChange={(event) =>
              void save({
                updates: { ...settings.updates, channel: event.target.value === 'beta' ? 'beta' : 'stable' },
              })
            }
          >
            <option value="stable">Stable</option>
            <option value="beta">Beta (earlier, less tested)</option>
          </select>
        </label>
        <div className="setting">
          <span>
            <button
              type="button"
              className="sp-button"
              onClick={() => void desktop.checkForUpdates().then((found) => setCheck(CHECK_WORDS[found]))}
            >
              Check for updates now
            </button>
          </span>
          <span role="status">{check}</span>
        </div>
        <label className="setting">
          <span>
            Send crash reports to
            <small className="muted">
              Crash reports stay on this computer unless you give an https:// address here and turn sending on. Takes
              effect at the next start.
            </small>
          </span>
          <input
            type="url"
            aria-label="Crash report address"
            value={crashUrl}
            placeholder="https://"
            onChange={(event) => setCrashUrl(event.target.value)}
            onBlur={() => settings.crashReports.upload && crashUpload(true)}
          />
        </label>
        <label className="setting">
          <span>Send crash reports</span>
          <input
            type="checkbox"
            checked={settings.crashReports.upload}
            onChange={(event) => crashUpload(event.target.checked)}
          />
        </label>
      </div>
      <InlineError message={error} />
    </section>
  );
}
