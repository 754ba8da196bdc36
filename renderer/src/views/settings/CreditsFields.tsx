import { useState } from 'react';

const CREDIT_FIELDS = [
  { key: 'creator', label: 'Creator', placeholder: 'Your name or studio' },
  { key: 'copyright', label: 'Copyright', placeholder: '© 2026 Your Studio' },
  { key: 'contactEmail', label: 'Contact email', placeholder: 'studio@example.com' },
  { key: 'contactUrl', label: 'Website', placeholder: 'https://example.com' },
] as const;
type CreditKey = (typeof CREDIT_FIELDS)[number]['key'];
type Values = Record<CreditKey, string>;

/** What a field says after leaving it: saving, saved, or that the engine kept the old value. */
type FieldStatus = 'saving' | 'saved' | 'failed';

const STATUS_WORDS: Record<FieldStatus, string> = {
  saving: 'Saving…',
  saved: 'Saved',
  failed: 'Not saved',
};

/**
 * Who made the photos, saved when a field is left (and said so next to it). Export writes them only
 * where a photo has none of its own: a photo's own creator and copyright are never replaced, and two
 * creators are never merged into one field.
 */
export function CreditsFields(props: {
  values: Values;
  /** Saves a change and answers with the values the engine now holds. */
  save: (patch: Partial<Values>) => Promise<Values | null>;
}): React.JSX.Element {
  const [status, setStatus] = useState<Partial<Record<CreditKey, FieldStatus>>>({});
  const leave = async (key: CreditKey, text: string): Promise<void> => {
    const value = text.trim();
    if (value === props.values[key]) return;
    setStatus((current) => ({ ...current, [key]: 'saving' }));
    const stored = await props.save({ [key]: value });
    setStatus((current) => ({ ...current, [key]: stored?.[key] === value ? 'saved' : 'failed' }));
  };
  return (
    <fieldset className="setting credits">
      <legend>Credits in exports</legend>
      <small className="muted">
        Written into exported files as IPTC and XMP creator, copyright and contact, where a photo has none of its own: a
        photo&apos;s own creator and copyright are kept as they are.
      </small>
      {CREDIT_FIELDS.map((field) => {
        const said = status[field.key];
        return (
          <label key={field.key} className="credit-field">
            <span>{field.label}</span>
            <input
              aria-label={field.label}
              placeholder={field.placeholder}
              defaultValue={props.values[field.key]}
              onBlur={(event) => void leave(field.key, event.target.value)}
            />
            <span
              role="status"
              aria-label={`${field.label} saved state`}
              className={said === 'failed' ? 'credit-status export-error' : 'credit-status muted'}
            >
              {said ? STATUS_WORDS[said] : ''}
            </span>
          </label>
        );
      })}
    </fieldset>
  );
}
