/** The prompt of a generation: what to make, in words (the doc's bound is the engine's). */
export function PromptField({
  value,
  onChange,
  placeholder,
}: {
  value: string;
  onChange: (prompt: string) => void;
  placeholder: string;
}): React.JSX.Element {
  return (
    <label className="field generate-prompt">
      Prompt
      <textarea
        aria-label="Prompt"
        rows={3}
        maxLength={4000}
        value={value}
        placeholder={placeholder}
        onChange={(event) => onChange(event.target.value)}
      />
    </label>
  );
}

/** A choice among the values a parameter's schema lists (aspect ratios, formats). */
export function EnumChoice({
  label,
  values,
  value,
  onChange,
  show = (choice) => choice,
}: {
  label: string;
  values: readonly string[];
  value: string;
  onChange: (value: string) => void;
  show?: (value: string) => string;
}): React.JSX.Element {
  return (
    <label className="field">
      {label}{' '}
      <select aria-label={label} value={value} onChange={(event) => onChange(event.target.value)}>
        {values.map((choice) => (
          <option key={choice} value={choice}>
            {show(choice)}
          </option>
        ))}
      </select>
    </label>
  );
}
