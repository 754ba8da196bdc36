import { formatAmount, type CatalogEntryView, type CostUnit } from '../../../../../shared/providers';

/** A model select whose options say their price: "Flux 1.1 Pro · 12 credits an image". */
export function ModelChoice({
  models,
  value,
  onChange,
  unit,
  per,
}: {
  models: readonly CatalogEntryView[] | null;
  value: string;
  onChange: (model: string) => void;
  unit: CostUnit;
  /** What one price buys: "an image", "a video". */
  per: string;
}): React.JSX.Element {
  const listed = models ?? [];
  const known = listed.some((model) => model.id === value);
  return (
    <label className="field">
      Model{' '}
      <select aria-label="Model" value={value} onChange={(event) => onChange(event.target.value)}>
        {models === null ? <option value={value}>Loading models…</option> : null}
        {models !== null && !known ? <option value={value}>{value}</option> : null}
        {listed.map((model) => (
          <option key={model.id} value={model.id}>
            {model.label}
            {model.credits === undefined ? '' : ` · ${formatAmount(model.credits, unit)} ${per}`}
          </option>
        ))}
      </select>
    </label>
  );
}
