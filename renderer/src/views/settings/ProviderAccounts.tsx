import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { MethodResult } from '../../../../shared/api';
import type { ProviderView } from '../../../../shared/providers';
import { useClient } from '../../store/context';
import { isHttpUrl, useAction, useLatest } from './use-action';
import { ConfirmRemove } from './ConfirmRemove';
import './settings-panels.css';

type AgentSettings = MethodResult<'providers.agent'>;
type TestResult = MethodResult<'providers.test'>;
type Reload = () => Promise<void>;

/** The only provider whose account has an agent (learned preferences) today. */
const AGENT_PROVIDER = 'aixpose';
const MIN_CONCURRENCY = 1;
const MAX_CONCURRENCY = 16;
/** The engine refuses shorter keys; saying so here spares a round trip and a terse message. */
const MIN_KEY_LENGTH = 8;

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
        {provider.local ? (
          <span className="sp-state sp-state-ok">Runs on this machine · no key, no cost</span>
        ) : provider.reachable ? (
          <span className="sp-state sp-state-ok">Reachable</span>
        ) : (
          <span className="sp-state sp-state-bad">Not reachable</span>
        )}
        {provider.balance !== null && (
          <span className="sp-balance">
            Balance: {provider.balance.toLocaleString()} {provider.balance === 1 ? 'credit' : 'credits'}
          </span>
        )}
      </header>

      {!provider.local && !provider.reachable && (
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
          {provider.needsKey && <KeySection provider={provider} onChanged={onChanged} />}
          {provider.id === AGENT_PROVIDER && provider.key.configured && (
            // Loaded again whenever the key or reachability changes: either can make it available.
            <AgentSection
              key={`${provider.key.source ?? ''}:${provider.key.last4 ?? ''}:${String(provider.reachable)}`}
              provider={provider}
            />
          )}
        </>
      )}
    </section>
  );
}

function InlineError({ id, message }: { id?: string; message: string | null }): React.JSX.Element | null {
  if (!message) return null;
  return (
    <p id={id} className="sp-error" role="alert">
      {message}
    </p>
  );
}

/**
 * One provider setting with its own Save: the field, a hint under it, and its own error. `check`
 * turns the typed text into the value to save, or a sentence saying what is wrong with it.
 */
function SavedSettingForm<T>(props: {
  label: string;
  initial: string;
  hint: React.ReactNode;
  input: { ariaLabel: string; className: string } & React.InputHTMLAttributes<HTMLInputElement>;
  check: (text: string) => { value: T } | { error: string };
  save: (value: T) => Promise<void>;
}): React.JSX.Element {
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();
  const [draft, setDraft] = useState(props.initial);
  const save = useAction();

  const onSubmit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (save.busy) return;
    const checked = props.check(draft.trim());
    if ('error' in checked) {
      save.setError(checked.error);
      return;
    }
    await save.run(() => props.save(checked.value));
  };

  const { ariaLabel, ...inputProps } = props.input;
  return (
    <form className="sp-row" noValidate onSubmit={(event) => void onSubmit(event)}>
      <label className="sp-label" htmlFor={inputId}>
        {props.label}
      </label>
      <div className="sp-control">
        <div className="sp-field">
          <input
            {...inputProps}
            id={inputId}
            aria-label={ariaLabel}
            aria-describedby={save.error ? `${hintId} ${errorId}` : hintId}
            aria-invalid={save.error ? true : undefined}
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
          />
          <button type="submit" className="sp-button" disabled={save.busy}>
            {save.busy ? 'Saving…' : 'Save'}
          </button>
        </div>
        <p id={hintId} className="sp-hint">
          {props.hint}
        </p>
        <InlineError id={errorId} message={save.error} />
      </div>
    </form>
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

function describeKey(key: ProviderView['key']): string {
  const ending = key.last4 ? ` · ends in ${key.last4}` : '';
  return key.source === 'env' ? `Configured · from environment${ending}` : `Configured${ending}`;
}

function KeySection({ provider, onChanged }: { provider: ProviderView; onChanged: Reload }): React.JSX.Element {
  const client = useClient();
  const { key, name } = provider;
  const errorId = useId();
  // The key itself stays in the DOM input until it is sent; React only knows whether there is one.
  const keyInput = useRef<HTMLInputElement>(null);
  const [hasInput, setHasInput] = useState(false);
  const [replacing, setReplacing] = useState(false);
  const [confirmingRemove, setConfirmingRemove] = useState(false);
  const [testResult, setTestResult] = useState<TestResult | null>(null);
  const saveKey = useAction();
  const test = useAction();
  const remove = useAction();
  const showForm = !key.configured || replacing;

  const clearInput = (): void => {
    if (keyInput.current) keyInput.current.value = '';
    setHasInput(false);
  };

  const onSave = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const input = keyInput.current;
    if (!input || saveKey.busy) return;
    const value = input.value.trim();
    if (value.length < MIN_KEY_LENGTH) {
      saveKey.setError(`That key is too short: paste the whole key from your ${name} account.`);
      return;
    }
    const saved = await saveKey.run(async () => {
      await client.call('providers.setKey', { provider: provider.id, key: value });
    });
    if (!saved) return;
    clearInput();
    setReplacing(false);
    setTestResult(null);
    await onChanged();
  };

  const onTest = async (): Promise<void> => {
    setTestResult(null);
    await test.run(async () => {
      setTestResult(await client.call('providers.test', { provider: provider.id }));
      // A test may refresh the balance or reachability.
      await onChanged();
    });
  };

  const onRemove = async (): Promise<void> => {
    const removed = await remove.run(async () => {
      await client.call('providers.removeKey', { provider: provider.id });
    });
    if (!removed) return;
    setConfirmingRemove(false);
    setTestResult(null);
    await onChanged();
  };

  const cancelReplace = (): void => {
    clearInput();
    setReplacing(false);
    saveKey.setError(null);
  };

  return (
    <div className="sp-row">
      <span className="sp-label">API key</span>
      <div className="sp-control">
        {provider.keyWarning && (
          <p className="sp-warning" role="alert">
            {provider.keyWarning}
          </p>
        )}

        {key.configured && <p className="sp-key-status">{describeKey(key)}</p>}
        {key.configured && provider.keyNotSent && (
          <p className="sp-warning" role="alert">
            {provider.keyNotSent}
          </p>
        )}
        {key.configured && key.source === 'env' && (
          <p className="sp-hint">This key is set in Shootline&apos;s environment; change or remove it there.</p>
        )}

        {key.configured && !replacing && !confirmingRemove && (
          <div className="sp-field">
            <button type="button" className="sp-button" disabled={test.busy} onClick={() => void onTest()}>
              {test.busy ? 'Testing…' : 'Test key'}
            </button>
            {key.source !== 'env' && (
              <>
                <button
                  type="button"
                  className="sp-button"
                  onClick={() => {
                    setReplacing(true);
                    setTestResult(null);
                  }}
                >
                  Replace key
                </button>
                <button
                  type="button"
                  className="sp-button sp-button-danger"
                  onClick={() => {
                    remove.setError(null);
                    setConfirmingRemove(true);
                  }}
                >
                  Remove key
                </button>
              </>
            )}
          </div>
        )}

        {confirmingRemove && (
          <ConfirmRemove
            label={`Confirm removing the ${name} key`}
            action="Remove the key"
            busy={remove.busy}
            onConfirm={() => void onRemove()}
            onCancel={() => setConfirmingRemove(false)}
          >
            Remove the {name} key? New {name} jobs wait until a key is set again.
          </ConfirmRemove>
        )}
        <InlineError message={remove.error} />
        <InlineError message={test.error} />

        {showForm && (
          <form className="sp-field" noValidate onSubmit={(event) => void onSave(event)}>
            <input
              ref={keyInput}
              className="sp-input-wide"
              type="password"
              autoComplete="off"
              spellCheck={false}
              maxLength={4096}
              placeholder={replacing ? `Paste the new ${name} key` : `Paste your ${name} key`}
              aria-label={`${name} API key`}
              aria-describedby={saveKey.error ? errorId : undefined}
              aria-invalid={saveKey.error ? true : undefined}
              onChange={(event) => setHasInput(event.target.value.trim().length > 0)}
            />
            <button type="submit" className="sp-button sp-button-primary" disabled={!hasInput || saveKey.busy}>
              {saveKey.busy ? 'Saving…' : 'Save key'}
            </button>
            {replacing && (
              <button type="button" className="sp-button" disabled={saveKey.busy} onClick={cancelReplace}>
                Cancel
              </button>
            )}
          </form>
        )}
        <InlineError id={errorId} message={saveKey.error} />

        <p
          role="status"
          className={
            testResult === null ? 'sp-status' : `sp-status ${testResult.ok ? 'sp-status-ok' : 'sp-status-failed'}`
          }
        >
          {testResult && `${testResult.ok ? 'Test passed' : 'Test failed'}: ${testResult.message}`}
        </p>
      </div>
    </div>
  );
}

/** AIXpose's agent: preferences it learned from the user's edits, and whether it applies them itself. */
function AgentSection({ provider }: { provider: ProviderView }): React.JSX.Element | null {
  const client = useClient();
  const [agent, setAgent] = useState<AgentSettings | null>(null);
  const update = useAction();

  useEffect(() => {
    let live = true;
    // An account without an agent, or one that cannot be reached, simply shows no agent section.
    client.call('providers.agent', { provider: provider.id }).then(
      (settings) => {
        if (live) setAgent(settings);
      },
      () => {
        if (live) setAgent(null);
      },
    );
    return () => {
      live = false;
    };
  }, [client, provider.id]);

  if (!agent) return null;

  const change = async (patch: { enabled?: boolean; autoApply?: boolean }): Promise<void> => {
    const before = agent;
    // Optimistic: the box moves at once; the provider's answer (or the old value, on error) wins.
    setAgent({ ...before, ...patch });
    const saved = await update.run(async () => {
      setAgent(await client.call('providers.updateAgent', { provider: provider.id, ...patch }));
    });
    if (!saved) setAgent(before);
  };

  return (
    <fieldset className="sp-fieldset" disabled={update.busy}>
      <legend>{provider.name} agent</legend>
      <p className="sp-hint">
        The agent learns your preferences from the edits you keep; with auto-apply it uses them on new work without
        asking.
      </p>
      <div className="sp-field">
        <label className="sp-check">
          <input
            type="checkbox"
            checked={agent.enabled}
            onChange={(event) => void change({ enabled: event.target.checked })}
          />
          Enabled
        </label>
        <label className="sp-check">
          <input
            type="checkbox"
            checked={agent.autoApply}
            onChange={(event) => void change({ autoApply: event.target.checked })}
          />
          Auto-apply
        </label>
      </div>
      {agent.learnedPreferences.length > 0 && (
        <p className="sp-hint">Learned so far: {agent.learnedPreferences.join(' · ')}</p>
      )}
      <InlineError message={update.error} />
    </fieldset>
  );
}
