import { useCallback, useEffect, useMemo, useState } from 'react';
import { AppError } from '../../../shared/errors';
import type { QueueStats } from '../../../shared/jobs';
import type { ProviderView } from '../../../shared/providers';
import { useApp, useClient } from '../store/context';
import { nameLookup } from '../views/queue/queue-model';
import { providerBanners } from '../views/queue/queue-status';
import { DismissibleBanner } from './DismissibleBanner';

export interface ProviderBannersProps {
  /** Opens the Settings section (where keys and credits are fixed). */
  onOpenSettings(this: void): void;
}

/**
 * Banners at the top of every view about providers the queue cannot use right now: unreachable
 * ones (their jobs wait and resume by themselves) and ones the queue paused (out of credits, key
 * refused), with a way to fix and resume them. Loads its own data and follows `queue.stats`.
 */
export function ProviderBanners({ onOpenSettings }: ProviderBannersProps): React.JSX.Element | null {
  const client = useClient();
  const online = useApp((state) => state.connection === 'open');
  const [stats, setStats] = useState<QueueStats | null>(null);
  const [providers, setProviders] = useState<ProviderView[]>([]);
  const [resuming, setResuming] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<string | null>(null);

  useEffect(() => client.on('queue.stats', setStats), [client]);

  useEffect(() => {
    if (!online) return;
    let live = true;
    void client.call('queue.stats', {}).then(
      (result) => {
        if (live) setStats(result);
      },
      () => {
        // The next queue.stats event fills this in; the Queue view reports load errors itself.
      },
    );
    void client.call('providers.list', {}).then(
      (result) => {
        if (live) setProviders(result);
      },
      () => {
        // Banners then name providers by id.
      },
    );
    return () => {
      live = false;
    };
  }, [client, online]);

  const providerName = useMemo(() => nameLookup(providers), [providers]);
  const banners = useMemo(() => (stats ? providerBanners(stats, providerName) : []), [stats, providerName]);

  const resume = useCallback(
    async (provider: string): Promise<void> => {
      setResuming((current) => new Set(current).add(provider));
      setError(null);
      try {
        setStats(await client.call('queue.resume', { scope: 'provider', id: provider }));
      } catch (caught) {
        setError(
          caught instanceof AppError
            ? caught.message
            : `Could not resume ${providerName(provider)}. The details are in the log.`,
        );
      } finally {
        setResuming((current) => {
          const next = new Set(current);
          next.delete(provider);
          return next;
        });
      }
    },
    [client, providerName],
  );

  if (banners.length === 0 && !error) return null;

  return (
    <div className="provider-banners">
      {banners.map((banner) =>
        banner.kind === 'unreachable' ? (
          <div key={`unreachable:${banner.provider}`} className="banner" role="status" data-provider={banner.provider}>
            <span>{banner.text}</span>
          </div>
        ) : (
          <div
            key={`paused:${banner.provider}`}
            className="banner banner-error"
            role="alert"
            data-provider={banner.provider}
          >
            <span>{banner.text}</span>
            <span className="inline-form">
              <button type="button" className="link-button" onClick={onOpenSettings}>
                Open Settings
              </button>
              <button
                type="button"
                className="link-button"
                disabled={resuming.has(banner.provider)}
                onClick={() => void resume(banner.provider)}
              >
                Resume
              </button>
            </span>
          </div>
        ),
      )}
      {error ? (
        <DismissibleBanner kind="error" onDismiss={() => setError(null)}>
          {error}
        </DismissibleBanner>
      ) : null}
    </div>
  );
}
