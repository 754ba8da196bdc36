import { MAX_IMAGES_PER_RUN } from '../../../../../shared/api';

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

/** Is this a number of images one run may make? */
export const countIsValid = (count: number): boolean =>
  Number.isInteger(count) && count >= 1 && count <= MAX_IMAGES_PER_RUN;

/** "4 images · 12 credits", or the bound when the count is not one a run may make. */
export function countedEstimate(count: number, price: string): string {
  return countIsValid(count)
    ? `${count} image${count === 1 ? '' : 's'} · ${price}`
    : `Between 1 and ${MAX_IMAGES_PER_RUN} images at a time.`;
}

/** How many images a run makes. */
export function CountField({
  value,
  onChange,
}: {
  value: number;
  onChange: (count: number) => void;
}): React.JSX.Element {
  return (
    <label className="field">
      How many{' '}
      <input
        aria-label="How many"
        type="number"
        min={1}
        max={MAX_IMAGES_PER_RUN}
        value={value}
        onChange={(event) => onChange(Math.round(Number(event.target.value)))}
      />
    </label>
  );
}
