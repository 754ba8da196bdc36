import { useEffect, useEffectEvent, useId, useMemo, useState } from 'react';
import { AppError } from '../../../../shared/errors';
import type { CatalogEntryView, ProviderCatalog, ProviderView } from '../../../../shared/providers';
import { useClient } from '../../store/context';
import {
  type CatalogChoice,
  catalogChoices,
  catalogContext,
  catalogKinds,
  describeFields,
  type FieldDescriptor,
  type FormValue,
  type FormValues,
  groupChoices,
  hasCatalogKind,
  initialValues,
  isValid,
  optionKey,
  pruneCatalogValues,
  toParams,
  unsupportedParams,
  validate,
} from './schema-form';
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
          <Field
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

interface FieldProps {
  id: string;
  field: FieldDescriptor;
  value: FormValue | undefined;
  error: string | undefined;
  /** For catalog fields: the entries that apply now (null for other fields). */
  choices: CatalogChoice[] | null;
  catalogHasKind: boolean;
  catalogLoading: boolean;
  onChange: (value: FormValue) => void;
  onBlur: () => void;
}

function Field(props: FieldProps): React.JSX.Element {
  const { id, field, error } = props;
  const helpId = field.help ? `${id}-help` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [helpId, errorId].filter(Boolean).join(' ') || undefined;
  const aria: AriaProps = {
    'aria-describedby': describedBy,
    'aria-invalid': error ? true : undefined,
    'aria-required': field.required ? true : undefined,
  };
  const notes = (
    <>
      {field.help && (
        <small id={helpId} className="recipe-help">
          {field.help}
        </small>
      )}
      {error && (
        <small id={errorId} className="recipe-error">
          {error}
        </small>
      )}
    </>
  );

  if (field.kind === 'boolean') {
    return (
      <div className="recipe-field recipe-field-check">
        <label htmlFor={id}>
          <input
            id={id}
            type="checkbox"
            checked={props.value === true}
            onChange={(event) => props.onChange(event.target.checked)}
            {...aria}
          />{' '}
          {field.label}
        </label>
        {notes}
      </div>
    );
  }

  if (field.kind === 'multi-enum' || field.kind === 'multi-catalog') {
    return <MultiField {...props} describedBy={describedBy} notes={notes} />;
  }

  return (
    <div className="recipe-field">
      <label htmlFor={id}>
        {field.label}
        {field.required && (
          <span className="recipe-required" aria-hidden="true">
            {' '}
            (required)
          </span>
        )}
      </label>
      <SingleControl {...props} aria={aria} />
      {notes}
    </div>
  );
}

type AriaProps = {
  'aria-describedby': string | undefined;
  'aria-invalid': true | undefined;
  'aria-required': true | undefined;
};

function SingleControl({
  id,
  field,
  value,
  choices,
  catalogHasKind,
  onChange,
  onBlur,
  aria,
}: FieldProps & { aria: AriaProps }): React.JSX.Element {
  const text = typeof value === 'string' ? value : '';
  const allowsEmpty = !field.required && !('default' in field && field.default !== null);
  const placeholder = !field.required && !('default' in field) ? 'Default' : undefined;

  switch (field.kind) {
    case 'number':
    case 'integer':
      return (
        <input
          id={id}
          type="number"
          inputMode={field.kind === 'integer' ? 'numeric' : 'decimal'}
          min={field.min}
          max={field.max}
          step={field.multipleOf ?? (field.kind === 'integer' ? 1 : 'any')}
          value={text}
          placeholder={placeholder}
          onChange={(event) => onChange(event.target.value)}
          onBlur={onBlur}
          {...aria}
        />
      );
    case 'longtext':
      return (
        <textarea
          id={id}
          rows={4}
          maxLength={field.maxLength}
          value={text}
          onChange={(event) => onChange(event.target.value)}
          onBlur={onBlur}
          {...aria}
        />
      );
    case 'text':
      return (
        <input
          id={id}
          type="text"
          maxLength={field.list ? undefined : field.maxLength}
          value={text}
          placeholder={field.list ? 'Separate with commas' : placeholder}
          onChange={(event) => onChange(event.target.value)}
          onBlur={onBlur}
          {...aria}
        />
      );
    case 'enum':
      return (
        <select id={id} value={text} onChange={(event) => onChange(event.target.value)} onBlur={onBlur} {...aria}>
          {(allowsEmpty || text === '') && <option value="">{allowsEmpty ? 'Not set' : 'Choose…'}</option>}
          {(field.options ?? []).map((option) => (
            <option key={optionKey(option.value)} value={optionKey(option.value)}>
              {option.label}
            </option>
          ))}
        </select>
      );
    case 'catalog': {
      // Without the catalog: the schema's own choices if it lists them, else the id typed in.
      const list: CatalogChoice[] | null =
        catalogHasKind && choices
          ? choices
          : field.options
            ? field.options.map((option) => ({ value: optionKey(option.value), label: option.label }))
            : null;
      if (!list) {
        return (
          <input
            id={id}
            type="text"
            maxLength={field.maxLength}
            value={text}
            placeholder={placeholder}
            onChange={(event) => onChange(event.target.value)}
            onBlur={onBlur}
            {...aria}
          />
        );
      }
      // A stored value the catalog no longer lists stays visible rather than silently changing.
      const missing = text !== '' && !list.some((choice) => choice.value === text);
      const groups = groupChoices(list);
      return (
        <select id={id} value={text} onChange={(event) => onChange(event.target.value)} onBlur={onBlur} {...aria}>
          {(allowsEmpty || text === '') && <option value="">{allowsEmpty ? 'Not set' : 'Choose…'}</option>}
          {missing && <option value={text}>{text}</option>}
          {groups.map((group) =>
            group.group === null || groups.length === 1 ? (
              group.choices.map((choice) => <ChoiceOption key={choice.value} choice={choice} />)
            ) : (
              <optgroup key={group.group} label={group.group}>
                {group.choices.map((choice) => (
                  <ChoiceOption key={choice.value} choice={choice} />
                ))}
              </optgroup>
            ),
          )}
        </select>
      );
    }
    case 'boolean':
    case 'multi-enum':
    case 'multi-catalog':
      return <></>;
  }
}

function ChoiceOption({ choice }: { choice: CatalogChoice }): React.JSX.Element {
  return (
    <option value={choice.value} title={choice.description}>
      {choice.label}
    </option>
  );
}

function MultiField({
  id,
  field,
  value,
  choices,
  catalogHasKind,
  catalogLoading,
  onChange,
  describedBy,
  notes,
}: FieldProps & { describedBy: string | undefined; notes: React.ReactNode }): React.JSX.Element {
  const chosen = Array.isArray(value) ? value : [];
  const list: CatalogChoice[] =
    field.kind === 'multi-catalog' && catalogHasKind
      ? (choices ?? [])
      : (field.options ?? []).map((option) => ({ value: optionKey(option.value), label: option.label }));
  // Chosen values the list does not show (stored before, or no catalog yet) stay visible and can be unchecked.
  const extra = chosen.filter((key) => !list.some((choice) => choice.value === key));
  const all = [...list, ...extra.map((key) => ({ value: key, label: key }))];
  const groups = groupChoices(all);

  const toggle = (key: string, on: boolean): void => {
    onChange(on ? [...chosen.filter((item) => item !== key), key] : chosen.filter((item) => item !== key));
  };

  return (
    <fieldset className="recipe-field recipe-multi" aria-describedby={describedBy}>
      <legend>
        {field.label}
        {chosen.length > 0 && <span className="muted"> ({chosen.length} chosen)</span>}
      </legend>
      {all.length === 0 && (
        <p className="muted recipe-empty-choices">
          {catalogLoading
            ? 'Loading choices…'
            : field.kind === 'multi-catalog'
              ? 'No choices available: the catalog has none for the current settings.'
              : 'No choices available.'}
        </p>
      )}
      {groups.map((group, groupIndex) => (
        <div key={group.group ?? `\u0000${groupIndex}`} className="recipe-choice-group">
          {group.group !== null && groups.length > 1 && <div className="recipe-group-name">{group.group}</div>}
          <div className="recipe-choices">
            {group.choices.map((choice, choiceIndex) => {
              const choiceId = `${id}-${groupIndex}-${choiceIndex}`;
              return (
                <label key={choice.value} htmlFor={choiceId} className="recipe-choice" title={choice.description}>
                  <input
                    id={choiceId}
                    type="checkbox"
                    checked={chosen.includes(choice.value)}
                    onChange={(event) => toggle(choice.value, event.target.checked)}
                  />{' '}
                  {choice.label}
                </label>
              );
            })}
          </div>
        </div>
      ))}
      {notes}
    </fieldset>
  );
}
