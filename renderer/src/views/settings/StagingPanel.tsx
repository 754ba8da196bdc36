import { useCallback, useState } from 'react';
import type { StagingView } from '../../../../shared/providers';
import { useClient } from '../../store/context';
import { useLatest } from './use-action';
import { type Notice, StagingForm } from './StagingForm';
import './settings-panels.css';

/**
 * Staging storage: the S3-compatible bucket Shootline uploads photos to when a provider only takes
 * a link. The secret access key goes from its input to the engine and is never shown again.
 */
export function StagingPanel(): React.JSX.Element {
  const client = useClient();
  const load = useCallback(() => client.call('staging.get', {}), [client]);
  const { value: view, error: loadError, reload } = useLatest<StagingView>(load);
  // Kept here rather than in the form, which is rebuilt after every save.
  const [notice, setNotice] = useState<Notice | null>(null);

  return (
    <section className="sp-panel sp-card" aria-label="Staging storage">
      <h2 className="sp-heading">Staging storage</h2>
      <p className="sp-hint">
        ProductAI and AIXpose URL uploads fetch photos from a link; Shootline puts them in your own S3-compatible
        storage and hands out expiring links.
      </p>
      {loadError && (
        <div className="sp-error sp-error-block" role="alert">
          <span>Staging storage could not be loaded: {loadError}</span>
          <button type="button" className="sp-button" onClick={() => void reload()}>
            Try again
          </button>
        </div>
      )}
      {view === null ? (
        !loadError && <p className="empty">Loading staging storage…</p>
      ) : (
        // Keyed by what is saved, so a save, a removal or a reload shows the engine's values.
        <StagingForm
          key={`${JSON.stringify(view.settings)}:${view.secret.last4 ?? ''}:${String(view.secret.configured)}`}
          view={view}
          onChanged={reload}
          onNotice={setNotice}
        />
      )}
      <p
        role="status"
        className={notice === null ? 'sp-status' : `sp-status ${notice.ok ? 'sp-status-ok' : 'sp-status-failed'}`}
      >
        {notice?.message}
      </p>
    </section>
  );
}
