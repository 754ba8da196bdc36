import { useApp, useAppStore } from '../store/context';
import { ProviderAccounts } from './settings/ProviderAccounts';
import { StagingPanel } from './settings/StagingPanel';
import { CreditsFields } from './settings/CreditsFields';
import { DesktopPanel } from './settings/DesktopPanel';

export function SettingsView(): React.JSX.Element {
  const settings = useApp((state) => state.settings);
  const update = useApp((state) => state.updateSettings);
  const store = useAppStore();

  return (
    <section className="view" aria-labelledby="settings-title">
      <header className="view-header">
        <h1 id="settings-title">Settings</h1>
      </header>
      {settings ? (
        <div className="settings-list">
          <label className="setting">
            <span>
              Start with the queue paused
              <small className="muted">After a restart nothing is sent to a provider until you resume.</small>
            </span>
            <input
              type="checkbox"
              checked={settings.startQueuePaused}
              onChange={(event) => void update({ startQueuePaused: event.target.checked })}
            />
          </label>
          <label className="setting">
            <span>
              Move to the next photo after a flag
              <small className="muted">
                After P or X on one photo (in the grid, or in the photo view while it has no variants), the next photo
                is selected, as in Photo Mechanic.
              </small>
            </span>
            <input
              type="checkbox"
              checked={settings.autoAdvance}
              onChange={(event) => void update({ autoAdvance: event.target.checked })}
            />
          </label>
          <label className="setting">
            <span>
              Rescan hot folders every
              <small className="muted">
                Catches files whose change events were missed (network drives, sync tools).
              </small>
            </span>
            <select
              aria-label="Rescan hot folders every"
              value={settings.reconcileIntervalMinutes}
              onChange={(event) => void update({ reconcileIntervalMinutes: Number(event.target.value) })}
            >
              {[1, 5, 15, 60].map((minutes) => (
                <option key={minutes} value={minutes}>
                  {minutes} min
                </option>
              ))}
            </select>
          </label>
          <label className="setting">
            <span>
              Tries per job
              <small className="muted">
                A job that meets network or provider errors is tried again this many times before it fails. Nothing is
                ever charged twice.
              </small>
            </span>
            <select
              aria-label="Tries per job"
              value={settings.retryLimit}
              onChange={(event) => void update({ retryLimit: Number(event.target.value) })}
            >
              {[1, 3, 5, 8, 12, 20].map((tries) => (
                <option key={tries} value={tries}>
                  {tries}
                </option>
              ))}
            </select>
          </label>
          <CreditsFields
            values={settings}
            save={async (patch) => {
              await update(patch);
              return store.getState().settings;
            }}
          />
        </div>
      ) : (
        <p className="empty">Loading settings…</p>
      )}
      <ProviderAccounts />
      <StagingPanel />
      <DesktopPanel />
    </section>
  );
}
