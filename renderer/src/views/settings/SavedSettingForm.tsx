import { useId, useState, type FormEvent } from 'react';
import { useAction } from './use-action';
import { InlineError } from './InlineError';

/**
 * One provider setting with its own Save: the field, a hint under it, and its own error. `check`
 * turns the typed text into the value to save, or a sentence saying what is wrong with it.
 */
export function SavedSettingForm<T>(props: {
  label: string;
  initial: string;
  hint: React.ReactNode;
  input: { ariaLabel: string; className: string } & React.InputHTMLAttributes<HTMLInputElement>;
  check: (text: string) => { value: T } | { error: string };
  save: (value: T) => Promise<void>;
}): React.JSX.Element {
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();
  const [draft, setDraft] = useState(props.initial);
  const save = useAction();

  const onSubmit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (save.busy) return;
    const checked = props.check(draft.trim());
    if ('error' in checked) {
      save.setError(checked.error);
      return;
    }
    await save.run(() => props.save(checked.value));
  };

  const { ariaLabel, ...inputProps } = props.input;
  return (
    <form className="sp-row" noValidate onSubmit={(event) => void onSubmit(event)}>
      <label className="sp-label" htmlFor={inputId}>
        {props.label}
      </label>
      <div className="sp-control">
        <div className="sp-field">
          <input
            {...inputProps}
            id={inputId}
            aria-label={ariaLabel}
            aria-describedby={save.error ? `${hintId} ${errorId}` : hintId}
            aria-invalid={save.error ? true : undefined}
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
          />
          <button type="submit" className="sp-button" disabled={save.busy}>
            {save.busy ? 'Saving…' : 'Save'}
          </button>
        </div>
        <p id={hintId} className="sp-hint">
          {props.hint}
        </p>
        <InlineError id={errorId} message={save.error} />
      </div>
    </form>
  );
}
