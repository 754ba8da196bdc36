import { useEffect, useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import { matchCommand } from '../../../../shared/commands';
import { AppError } from '../../../../shared/errors';
import type { Recipe } from '../../../../shared/jobs';
import type { ProviderView } from '../../../../shared/providers';
import { useClient } from '../../store/context';
import { RecipeForm } from './RecipeForm';
import './recipe.css';

type Operation = ProviderView['operations'][number];

export interface RecipeEditorProps {
  onSaved: (recipe: Recipe) => void;
  onCancel: () => void;
}

/** Recipes run on photos one by one: operations on a shoot as a whole (videos, publishing) are run from the shoot. */
export function isRecipeOperation(operation: Operation): boolean {
  return operation.inputs.source !== 'none' && operation.inputs.shoot === null;
}

/** Providers that offer a recipe operation, the ones on this machine first (free, no key). */
export function recipeProviders(providers: readonly ProviderView[]): ProviderView[] {
  return providers
    .filter((provider) => provider.operations.some(isRecipeOperation))
    .map((provider, index) => ({ provider, index }))
    .sort((a, b) => Number(b.provider.local) - Number(a.provider.local) || a.index - b.index)
    .map(({ provider }) => provider);
}

export function defaultRecipeName(provider: ProviderView, operation: Operation): string {
  return `${provider.name} · ${operation.label}`;
}

type Load =
  { status: 'loading' } | { status: 'ready'; providers: ProviderView[] } | { status: 'failed'; message: string };

function messageOf(error: unknown, fallback: string): string {
  return error instanceof AppError ? error.message : fallback;
}

/** A panel to create a recipe: a provider's operation with its settings, under a name. */
export function RecipeEditor({ onSaved, onCancel }: RecipeEditorProps): React.JSX.Element {
  const client = useClient();
  const ids = useId();
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [providerId, setProviderId] = useState<string | null>(null);
  const [operationName, setOperationName] = useState<string | null>(null);
  /** null while the name follows the chosen operation; the user's text once typed. */
  const [typedName, setTypedName] = useState<string | null>(null);
  const [params, setParams] = useState<Record<string, unknown>>({});
  const [paramsValid, setParamsValid] = useState(false);
  const [showAllErrors, setShowAllErrors] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    client.call('providers.list', {}).then(
      (list) => {
        if (live) setLoad({ status: 'ready', providers: recipeProviders(list) });
      },
      (error: unknown) => {
        if (live) setLoad({ status: 'failed', message: messageOf(error, 'The providers could not be loaded.') });
      },
    );
    return () => {
      live = false;
    };
  }, [client]);

  const providers = load.status === 'ready' ? load.providers : [];
  const provider = providers.find((candidate) => candidate.id === providerId) ?? providers[0];
  const operations = provider ? provider.operations.filter(isRecipeOperation) : [];
  const operation = operations.find((candidate) => candidate.name === operationName) ?? operations[0];
  const autoName = provider && operation ? defaultRecipeName(provider, operation) : '';
  const name = typedName ?? autoName;

  const choose = (nextProvider: string | null, nextOperation: string | null): void => {
    setProviderId(nextProvider);
    setOperationName(nextOperation);
    setShowAllErrors(false);
    setSaveError(null);
  };

  const onSubmit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!provider || !operation || saving) return;
    if (!paramsValid || name.trim() === '') {
      setShowAllErrors(true);
      setSaveError(name.trim() === '' ? 'A recipe needs a name.' : 'Some settings need attention.');
      return;
    }
    setSaving(true);
    setSaveError(null);
    try {
      const recipe = await client.call('recipes.create', {
        name: name.trim(),
        provider: provider.id,
        operation: operation.name,
        params,
      });
      onSaved(recipe);
    } catch (error) {
      setSaveError(messageOf(error, 'The recipe could not be saved.'));
    } finally {
      setSaving(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent): void => {
    if (matchCommand('dialog', event)?.id === 'dialog.close' && !saving) {
      event.stopPropagation();
      onCancel();
    }
  };

  return (
    <section aria-label="New recipe" className="recipe-editor" onKeyDown={onKeyDown}>
      <header className="view-header">
        <h1>New recipe</h1>
      </header>
      {load.status === 'loading' && <p className="muted">Loading providers…</p>}
      {load.status === 'failed' && (
        <p className="banner banner-error" role="alert">
          {load.message}
        </p>
      )}
      {load.status === 'ready' && providers.length === 0 && (
        <p className="empty">No provider offers an operation on single photos.</p>
      )}
      {provider && operation && (
        <form className="recipe-editor-form" noValidate onSubmit={(event) => void onSubmit(event)}>
          <div className="recipe-editor-pickers">
            <div className="recipe-field">
              <label htmlFor={`${ids}-provider`}>Provider</label>
              <select id={`${ids}-provider`} value={provider.id} onChange={(event) => choose(event.target.value, null)}>
                {providers.map((candidate) => (
                  <option key={candidate.id} value={candidate.id}>
                    {candidate.local ? `${candidate.name} (on this computer)` : candidate.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="recipe-field">
              <label htmlFor={`${ids}-operation`}>Operation</label>
              <select
                id={`${ids}-operation`}
                value={operation.name}
                onChange={(event) => choose(provider.id, event.target.value)}
              >
                {operations.map((candidate) => (
                  <option key={candidate.name} value={candidate.name} disabled={candidate.unavailable !== null}>
                    {candidate.unavailable === null
                      ? candidate.label
                      : `${candidate.label} (unavailable with this key)`}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {operation.description && <p className="muted recipe-description">{operation.description}</p>}
          {operation.unavailable !== null && (
            <p className="banner banner-error" role="alert">
              {provider.name} refuses this to the key set: {operation.unavailable}
            </p>
          )}
          <CostHint provider={provider} operation={operation} params={paramsValid ? params : null} />
          <div className="recipe-field">
            <label htmlFor={`${ids}-name`}>Name</label>
            <input
              id={`${ids}-name`}
              type="text"
              maxLength={200}
              value={name}
              placeholder={autoName}
              onChange={(event) => setTypedName(event.target.value)}
            />
          </div>
          <RecipeForm
            provider={provider}
            operation={operation.name}
            showAllErrors={showAllErrors}
            onChange={(next, valid) => {
              setParams(next);
              setParamsValid(valid);
            }}
          />
          {saveError && (
            <p className="banner banner-error" role="alert">
              {saveError}
            </p>
          )}
          <div className="recipe-actions">
            <button type="button" className="recipe-button" onClick={onCancel} disabled={saving}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={saving}>
              {saving ? 'Saving…' : 'Save recipe'}
            </button>
          </div>
        </form>
      )}
      {!(provider && operation) && load.status !== 'loading' && (
        <div className="recipe-actions">
          <button type="button" className="recipe-button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      )}
    </section>
  );
}

function CostHint({
  provider,
  operation,
  params,
}: {
  provider: ProviderView;
  operation: Operation;
  /** The form's parameters when valid; null while the form has errors. */
  params: Record<string, unknown> | null;
}): React.JSX.Element {
  const client = useClient();
  const missingKey = provider.needsKey && !provider.key.configured;
  const [estimate, setEstimate] = useState<{ key: string; credits: number } | null>(null);
  const key = params ? JSON.stringify([provider.id, operation.name, params]) : null;
  useEffect(() => {
    if (!operation.paid || !params || !key) return;
    let live = true;
    // The provider's own price rules, for these settings (variants, resolution, model…).
    const timer = setTimeout(() => {
      client
        .call('providers.estimate', { provider: provider.id, operation: operation.name, params })
        .then((answer) => live && setEstimate({ key, credits: answer.credits }))
        .catch(() => undefined);
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, key, operation.name, operation.paid, params, provider.id]);
  const credits = estimate && estimate.key === key ? estimate.credits : null;
  return (
    <p className="recipe-cost">
      <span className={operation.paid ? 'recipe-paid' : undefined} data-testid="recipe-cost">
        {operation.paid
          ? `Paid: charged by ${provider.name}${credits === null ? '' : ` · about ${credits} credit${credits === 1 ? '' : 's'} per photo`}`
          : provider.local
            ? 'Free: runs on this computer'
            : `Free with ${provider.name}`}
      </span>
      {missingKey && <span className="muted"> Set a {provider.name} key in Settings before running this recipe.</span>}
    </p>
  );
}
