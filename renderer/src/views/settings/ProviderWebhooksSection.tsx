import { useEffect, useState } from 'react';
import type { ProviderWebhooks } from '../../../../shared/api-webhooks';
import type { ProviderView } from '../../../../shared/providers';
import { useClient } from '../../store/context';
import { InlineError } from './InlineError';
import { errorMessage, useAction } from './use-action';

/**
 * A provider's webhooks, managed through its API (AI Visual Studio): this server's address
 * registered or not, the others the account has, and whether a secret to check deliveries is kept.
 * Jobs are followed by polling either way; a webhook brings their news sooner.
 */
export function ProviderWebhooksSection({
  provider,
  onChanged,
}: {
  provider: ProviderView;
  onChanged: () => Promise<void>;
}): React.JSX.Element {
  const client = useClient();
  const [state, setState] = useState<ProviderWebhooks | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const act = useAction();

  useEffect(() => {
    let live = true;
    client.call('webhooks.list', { provider: provider.id }).then(
      (listed) => {
        if (!live) return;
        setState(listed);
        setLoadError(null);
      },
      (error: unknown) => {
        if (live) setLoadError(errorMessage(error));
      },
    );
    return () => {
      live = false;
    };
  }, [client, provider.id]);

  const run = (task: () => Promise<ProviderWebhooks>): void => {
    void act.run(async () => {
      setState(await task());
      await onChanged();
    });
  };

  const ours = state?.webhooks.find((webhook) => webhook.ours) ?? null;
  return (
    <fieldset className="sp-fieldset" disabled={act.busy}>
      <legend>{provider.name} webhooks</legend>
      {state?.ourUrl ? (
        <p className="sp-hint">
          This server hears deliveries at <code>{state.ourUrl}</code>.{' '}
          {state.secretSet
            ? 'A secret to check them is kept.'
            : 'No secret is kept yet: deliveries are refused until one is (register, or paste it above).'}
        </p>
      ) : (
        <p className="sp-hint">
          Webhooks need a public address (start the server with <code>--webhook-url</code>). Jobs are followed by
          polling meanwhile.
        </p>
      )}
      {loadError && <InlineError message={loadError} />}
      {state && state.webhooks.length === 0 && <p className="sp-hint">No webhook is registered at {provider.name}.</p>}
      {state && state.webhooks.length > 0 && (
        <ul className="sp-webhooks" aria-label={`${provider.name} webhooks`}>
          {state.webhooks.map((webhook) => (
            <li key={webhook.id}>
              <code>{webhook.url}</code> {webhook.ours && <strong>(this server)</strong>}{' '}
              {webhook.active ? 'active' : 'paused'} · {webhook.events.join(', ') || 'all events'}{' '}
              <button
                type="button"
                onClick={() =>
                  run(() =>
                    client.call('webhooks.update', { provider: provider.id, id: webhook.id, active: !webhook.active }),
                  )
                }
              >
                {webhook.active ? 'Pause' : 'Resume'}
              </button>{' '}
              <button
                type="button"
                onClick={() => run(() => client.call('webhooks.remove', { provider: provider.id, id: webhook.id }))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {state?.ourUrl && !ours && (
        <button type="button" onClick={() => run(() => client.call('webhooks.register', { provider: provider.id }))}>
          Register this server
        </button>
      )}
      {state?.message && <p className="sp-hint">{state.message}</p>}
      <InlineError message={act.error} />
    </fieldset>
  );
}
