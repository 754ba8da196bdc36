import { useCallback, useEffect, useState } from 'react';
import type { ProviderView } from '../../../../shared/providers';
import { useClient } from '../../store/context';
import { isHttpUrl, useLatest } from './use-action';
import { ProviderAgentSection } from './ProviderAgentSection';
import { ProviderKeySection } from './ProviderKeySection';
import { ProviderWebhooksSection } from './ProviderWebhooksSection';
import { SavedSettingForm } from './SavedSettingForm';
import './settings-panels.css';

type Reload = () => Promise<void>;

/** The only provider whose account has an agent (learned preferences) today. */
const AGENT_PROVIDER = 'aixpose';
const MIN_CONCURRENCY = 1;
const MAX_CONCURRENCY = 16;

/**
 * One card per provider: where it runs, whether it answers, its balance and why the queue paused
 * it; for cloud providers also its address, how many jobs run at once, and its API key. The key
 * goes straight from the input to the engine and is never held in React state or shown again.
 */
export function ProviderAccounts(): React.JSX.Element {
  const client = useClient();
  const load = useCallback(() => client.call('providers.list', {}), [client]);
  const { value: providers, error: loadError, reload } = useLatest<ProviderView[]>(load);

  return (
    <div className="sp-panel">
      <h2 className="sp-heading">Providers</h2>
      {loadError && (
        <div className="sp-error sp-error-block" role="alert">
          <span>The providers could not be loaded: {loadError}</span>
          <button type="button" className="sp-button" onClick={() => void reload()}>
            Try again
          </button>
        </div>
      )}
      {providers === null ? (
        !loadError && <p className="empty">Loading providers…</p>
      ) : providers.length === 0 ? (
        <p className="empty">No providers are available.</p>
      ) : (
        providers.map((provider) => <ProviderCard key={provider.id} provider={provider} onChanged={reload} />)
      )}
    </div>
  );
}

function ProviderCard({ provider, onChanged }: { provider: ProviderView; onChanged: Reload }): React.JSX.Element {
  const { name } = provider;
  return (
    <section className="sp-card" aria-label={`${name} account`}>
      <header className="sp-card-header">
        <h3 className="sp-card-title">{name}</h3>
        <span className="sp-badge">{provider.local ? 'Local' : 'Cloud'}</span>
        <ProviderState provider={provider} />
        {provider.balance !== null && (
          <span className="sp-balance">
            Balance: {provider.balance.toLocaleString()} {provider.balance === 1 ? 'credit' : 'credits'}
          </span>
        )}
      </header>

      {!provider.local && !notSetUp(provider) && !provider.reachable && (
        <p className="sp-hint">
          Shootline cannot reach {name} right now. Its jobs wait, cost no retries, and resume by themselves once it
          answers again.
        </p>
      )}
      {provider.pausedReason && (
        <p className="sp-paused">
          <strong>Paused.</strong> {provider.pausedReason}
        </p>
      )}

      {!provider.local && (
        <>
          {/* Keyed by the saved value, so a successful save (or a reload) resets the draft. */}
          <BaseUrlForm key={provider.baseUrl ?? ''} provider={provider} onChanged={onChanged} />
          <ConcurrencyForm key={provider.concurrency} provider={provider} onChanged={onChanged} />
          {provider.accountFields.map((field) =>
            field.secret ? (
              <ProviderKeySection key={field.id} provider={provider} field={field} onChanged={onChanged} />
            ) : (
              <PlainFieldForm
                key={`${field.id}:${field.value ?? ''}`}
                provider={provider}
                field={field}
                onChanged={onChanged}
              />
            ),
          )}
          {provider.operations.some((operation) => operation.unavailable !== null) && (
            <ul className="sp-hint" aria-label={`${provider.name} operations unavailable with this key`}>
              {provider.operations
                .filter((operation) => operation.unavailable !== null)
                .map((operation) => (
                  <li key={operation.name}>
                    <strong>{operation.label}</strong> is unavailable with this key: {operation.unavailable}
                  </li>
                ))}
            </ul>
          )}
          {provider.capabilities.webhooks && provider.webhookAdmin && provider.key.configured && (
            <ProviderWebhooksSection provider={provider} onChanged={onChanged} />
          )}
          {provider.id === AGENT_PROVIDER && provider.key.configured && (
            // Loaded again whenever the key or reachability changes: either can make it available.
            <ProviderAgentSection
              key={`${provider.key.source ?? ''}:${provider.key.last4 ?? ''}:${String(provider.reachable)}`}
              provider={provider}
            />
          )}
        </>
      )}
    </section>
  );
}

function BaseUrlForm({ provider, onChanged }: { provider: ProviderView; onChanged: Reload }): React.JSX.Element {
  const client = useClient();
  return (
    <SavedSettingForm<string | null>
      label="Base URL"
      initial={provider.baseUrl ?? ''}
      hint={<>Leave empty to use {provider.name}&apos;s default address.</>}
      input={{
        ariaLabel: `${provider.name} base URL`,
        className: 'sp-input-wide',
        type: 'url',
        inputMode: 'url',
        spellCheck: false,
        maxLength: 2000,
      }}
      check={(text) =>
        text && !isHttpUrl(text)
          ? { error: 'Enter an address that starts with http:// or https://, or leave it empty for the default.' }
          : { value: text || null }
      }
      save={async (baseUrl) => {
        await client.call('providers.configure', { provider: provider.id, baseUrl });
        await onChanged();
      }}
    />
  );
}

function ConcurrencyForm({ provider, onChanged }: { provider: ProviderView; onChanged: Reload }): React.JSX.Element {
  const client = useClient();
  return (
    <SavedSettingForm<number>
      label="Concurrency"
      initial={String(provider.concurrency)}
      hint={`How many jobs Shootline sends to ${provider.name} at the same time (${MIN_CONCURRENCY}–${MAX_CONCURRENCY}).`}
      input={{
        ariaLabel: `${provider.name} concurrency`,
        className: 'sp-input-number',
        type: 'number',
        min: MIN_CONCURRENCY,
        max: MAX_CONCURRENCY,
        step: 1,
      }}
      check={(text) => {
        const value = Number(text);
        return /^\d+$/.test(text) && value >= MIN_CONCURRENCY && value <= MAX_CONCURRENCY
          ? { value }
          : { error: `Enter a whole number from ${MIN_CONCURRENCY} to ${MAX_CONCURRENCY}.` };
      }}
      save={async (concurrency) => {
        await client.call('providers.configure', { provider: provider.id, concurrency });
        await onChanged();
      }}
    />
  );
}

/** A plain (not secret) account value, such as the user id a provider wants in every request. */
function PlainFieldForm({
  provider,
  field,
  onChanged,
}: {
  provider: ProviderView;
  field: ProviderView['accountFields'][number];
  onChanged: Reload;
}): React.JSX.Element {
  const client = useClient();
  return (
    <SavedSettingForm<string | null>
      label={field.label}
      initial={field.value ?? ''}
      hint={field.help ?? `Sent with every ${provider.name} request.`}
      input={{
        ariaLabel: `${provider.name} ${field.label}`,
        className: 'sp-input-wide',
        type: 'text',
        spellCheck: false,
        maxLength: 500,
      }}
      check={(text) => ({ value: text.trim() || null })}
      save={async (value) => {
        await client.call('providers.configure', { provider: provider.id, fields: { [field.id]: value } });
        await onChanged();
      }}
    />
  );
}

/** A cloud provider that needs a key and has none: nothing about it has been tried. */
function notSetUp(provider: ProviderView): boolean {
  return !provider.local && provider.needsKey && !provider.key.configured;
}

/**
 * Where the provider stands, told truthfully: "Not set up" without a key (never "Reachable" for
 * something never tried), else the answer of the quota-free key test, asked when Settings opens.
 */
function ProviderState({ provider }: { provider: ProviderView }): React.JSX.Element {
  const client = useClient();
  const configured = provider.key.configured;
  const keyId = `${provider.key.source ?? ''}:${provider.key.last4 ?? ''}`;
  const [probe, setProbe] = useState<{ keyId: string; ok: boolean; message: string } | null>(null);
  useEffect(() => {
    if (provider.local || !configured) return undefined;
    let current = true;
    client
      .call('providers.test', { provider: provider.id })
      .then((result) => current && setProbe({ keyId, ...result }))
      .catch((error: unknown) => {
        if (current) setProbe({ keyId, ok: false, message: error instanceof Error ? error.message : 'No answer.' });
      });
    return () => {
      current = false;
    };
  }, [client, provider.id, provider.local, configured, keyId]);

  if (provider.local) return <span className="sp-state sp-state-ok">Runs on this machine · no key, no cost</span>;
  if (notSetUp(provider)) {
    return (
      <span className="sp-state sp-state-muted" data-testid="provider-state">
        Not set up · add its key below
      </span>
    );
  }
  if (!probe || probe.keyId !== keyId) {
    return (
      <span className="sp-state sp-state-muted" data-testid="provider-state">
        Checking…
      </span>
    );
  }
  return (
    <span
      className={`sp-state ${probe.ok ? 'sp-state-ok' : 'sp-state-bad'}`}
      data-testid="provider-state"
      title={probe.message}
    >
      {probe.ok ? 'Reachable · key accepted' : `Not working: ${probe.message}`}
    </span>
  );
}
