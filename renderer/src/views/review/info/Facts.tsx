/** One line of the info panel: a label and its value (null: unknown, and then the line is left out). */
export type Fact = readonly [label: string, value: string | null];

/** Label–value lines; a value too long for the panel wraps rather than being cut. */
export function Facts({ facts, testId }: { facts: readonly Fact[]; testId: string }): React.JSX.Element {
  return (
    <dl className="facts" data-testid={testId}>
      {facts
        .filter((fact): fact is readonly [string, string] => fact[1] !== null && fact[1] !== '')
        .map(([label, value]) => (
          <div key={label} className="fact">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
    </dl>
  );
}
