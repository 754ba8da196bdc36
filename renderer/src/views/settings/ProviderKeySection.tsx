import { useId, useRef, useState, type FormEvent } from 'react';
import type { MethodResult } from '../../../../shared/api';
import type { ProviderView } from '../../../../shared/providers';
import { useClient } from '../../store/context';
import { useAction } from './use-action';
import { ConfirmRemove } from './ConfirmRemove';
import { InlineError } from './InlineError';

type TestResult = MethodResult<'providers.test'>;

/** The engine refuses shorter secrets; saying so here spares a round trip and a terse message. */
const MIN_KEY_LENGTH = 4;

function describeKey(key: ProviderView['key']): string {
  const ending = key.last4 ? ` · ends in ${key.last4}` : '';
  return key.source === 'env' ? `Configured · from environment${ending}` : `Configured${ending}`;
}

type AccountFieldView = ProviderView['accountFields'][number];

/**
 * One secret of a cloud provider's account (its API key, a key id…): whether it is set and where
 * from, and testing, replacing or removing it. The value goes to the engine and is never shown again.
 */
export function ProviderKeySection({
  provider,
  field,
  onChanged,
}: {
  provider: ProviderView;
  field: AccountFieldView;
  onChanged: () => Promise<void>;
}): React.JSX.Element {
  const client = useClient();
  const key = field.status ?? { configured: false, last4: null, source: null };
  const name = field.id === 'key' ? provider.name : `${provider.name} ${field.label.toLowerCase()}`;
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
      await client.call('providers.setKey', { provider: provider.id, field: field.id, key: value });
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
      await client.call('providers.removeKey', { provider: provider.id, field: field.id });
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
      <span className="sp-label">{field.label}</span>
      <div className="sp-control">
        {provider.keyWarning && (
          <p className="sp-warning" role="alert">
            {provider.keyWarning}
          </p>
        )}

        {key.configured && <p className="sp-key-status">{describeKey(key)}</p>}
        {field.help && <p className="sp-hint">{field.help}</p>}
        {field.scopes && field.scopes.length > 0 && (
          <p className="sp-hint">The key needs these permissions: {field.scopes.join(', ')}.</p>
        )}
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
              aria-label={`${provider.name} ${field.label}`}
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
