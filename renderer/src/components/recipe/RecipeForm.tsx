import { useEffect, useEffectEvent, useId, useMemo, useState } from 'react';
import { AppError } from '../../../../shared/errors';
import type { CatalogEntryView, ProviderCatalog, ProviderView } from '../../../../shared/providers';
import { useClient } from '../../store/context';
import {
  catalogChoices,
  catalogContext,
  catalogKinds,
  describeFields,
  type FieldDescriptor,
  type FormValue,
  type FormValues,
  hasCatalogKind,
  initialValues,
  isValid,
  pruneCatalogValues,
  toParams,
  unsupportedParams,
  validate,
} from './schema-form';
import { RecipeField } from './RecipeField';
import './recipe.css';

export interface RecipeFormProps {
  provider: ProviderView;
  operation: string;
  /** Stored params, when editing a recipe; the schema's defaults fill the rest. */
  initial?: Record<string, unknown>;
  onChange: (params: Record<string, unknown>, valid: boolean) => void;
  /** Show every field's problem, not only those of fields already touched (after a save attempt). */
  showAllErrors?: boolean;
}

type CatalogState =
  | { status: 'idle' }
  | { status: 'loading'; previous: ProviderCatalog | null }
  | { status: 'ready'; catalog: ProviderCatalog }
  | { status: 'failed'; message: string; previous: ProviderCatalog | null };

const NO_ENTRIES: CatalogEntryView[] = [];

/** An operation's parameters as a form, built from its JSON Schema and hints. */
export function RecipeForm(props: RecipeFormProps): React.JSX.Element {
  // A new provider or operation is a new form: its state starts again from the schema.
  return <OperationForm key={`${props.provider.id}\u0000${props.operation}`} {...props} />;
}

function OperationForm({ provider, operation, initial, onChange, showAllErrors = false }: RecipeFormProps) {
  const client = useClient();
  const formId = useId();
  const spec = provider.operations.find((candidate) => candidate.name === operation);
  const fields = useMemo(() => (spec ? describeFields(spec.paramsSchema, spec.hints) : []), [spec]);
  const kinds = useMemo(() => catalogKinds(fields), [fields]);
  const needsCatalog = kinds.length > 0;

  // Params the form cannot edit are kept as they were stored.
  const [kept] = useState<Record<string, unknown>>(() => {
    const names = spec ? unsupportedParams(spec.paramsSchema, fields) : [];
    return Object.fromEntries(
      names.filter((name) => initial && Object.hasOwn(initial, name)).map((name) => [name, initial?.[name]]),
    );
  });
  const [values, setValues] = useState<FormValues>(() => initialValues(fields, initial));
  const [touched, setTouched] = useState<ReadonlySet<string>>(() => new Set());
  const [catalogState, setCatalogState] = useState<CatalogState>(() =>
    needsCatalog ? { status: 'loading', previous: null } : { status: 'idle' },
  );

  const catalog =
    catalogState.status === 'ready'
      ? catalogState.catalog
      : catalogState.status === 'idle'
        ? null
        : catalogState.previous;
  const entries = catalog?.entries ?? NO_ENTRIES;

  const receiveCatalog = (loaded: ProviderCatalog): void => {
    setCatalogState({ status: 'ready', catalog: loaded });
    setValues((current) => pruneCatalogValues(fields, current, loaded.entries));
  };
  const catalogFailed = (error: unknown, previous: ProviderCatalog | null): void => {
    const message = error instanceof AppError ? error.message : `${provider.name}'s catalog could not be loaded.`;
    setCatalogState({ status: 'failed', message, previous });
  };
  const onCatalog = useEffectEvent(receiveCatalog);
  const onCatalogError = useEffectEvent(catalogFailed);

  useEffect(() => {
    if (!needsCatalog) return;
    let live = true;
    client.call('providers.catalog', { provider: provider.id }).then(
      (loaded) => {
        if (live) onCatalog(loaded);
      },
      (error: unknown) => {
        if (live) onCatalogError(error, null);
      },
    );
    return () => {
      live = false;
    };
  }, [client, needsCatalog, provider.id]);

  const refreshCatalog = (): void => {
    const previous = catalog;
    setCatalogState({ status: 'loading', previous });
    client
      .call('providers.catalog', { provider: provider.id, refresh: true })
      .then(receiveCatalog, (error: unknown) => catalogFailed(error, previous));
  };

  const errors = useMemo(() => validate(fields, values), [fields, values]);
  const valid = isValid(errors);
  const params = useMemo(() => ({ ...kept, ...toParams(fields, values) }), [kept, fields, values]);
  const emit = useEffectEvent((next: Record<string, unknown>, ok: boolean) => onChange(next, ok));
  useEffect(() => {
    emit(params, valid);
  }, [params, valid]);

  if (!spec) {
    return <p className="banner banner-error">{`${provider.name} has no operation ${operation}.`}</p>;
  }

  const update = (field: FieldDescriptor, value: FormValue): void => {
    setValues((current) => pruneCatalogValues(fields, { ...current, [field.name]: value }, entries));
    setTouched((current) => (current.has(field.name) ? current : new Set(current).add(field.name)));
  };
  const context = catalogContext(fields, values);
  const catalogMessage = catalogState.status === 'failed' ? catalogState.message : (catalog?.message ?? null);

  return (
    <div className="recipe-form">
      {needsCatalog && (
        <div className="recipe-catalog-status">
          <span className="muted" aria-live="polite">
            {catalogState.status === 'loading'
              ? `Loading ${provider.name}'s catalog…`
              : catalog?.fetchedAt
                ? `Catalog as of ${new Date(catalog.fetchedAt).toLocaleString()}`
                : null}
          </span>
          <button
            type="button"
            className="link-button"
            disabled={catalogState.status === 'loading'}
            onClick={refreshCatalog}
          >
            Refresh catalog
          </button>
        </div>
      )}
      {catalogMessage && (
        <p className="recipe-note" role="status">
          {catalogMessage}
        </p>
      )}
      {fields.length === 0 && <p className="muted">This operation has no settings.</p>}
      {fields.map((field) => {
        const id = `${formId}-${field.name}`;
        const error = showAllErrors || touched.has(field.name) ? errors[field.name] : undefined;
        return (
          <RecipeField
            key={field.name}
            id={id}
            field={field}
            value={values[field.name]}
            error={error}
            choices={field.catalog ? catalogChoices(field, entries, context) : null}
            catalogHasKind={hasCatalogKind(entries, field.catalog)}
            catalogLoading={catalogState.status === 'loading'}
            onChange={(value) => update(field, value)}
            onBlur={() =>
              setTouched((current) => (current.has(field.name) ? current : new Set(current).add(field.name)))
            }
          />
        );
      })}
    </div>
  );
}
