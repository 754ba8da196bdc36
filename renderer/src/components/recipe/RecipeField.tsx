/** One parameter of the recipe form: its label, its control (by field kind), its help and its problem. */

import { type CatalogChoice, type FieldDescriptor, type FormValue, groupChoices, optionKey } from './schema-form';

export interface RecipeFieldProps {
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

export function RecipeField(props: RecipeFieldProps): React.JSX.Element {
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
}: RecipeFieldProps & { aria: AriaProps }): React.JSX.Element {
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
}: RecipeFieldProps & { describedBy: string | undefined; notes: React.ReactNode }): React.JSX.Element {
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
