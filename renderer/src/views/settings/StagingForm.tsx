import { useId, useRef, useState, type FormEvent } from 'react';
import type { MethodArgs, MethodResult } from '../../../../shared/api';
import type { StagingView } from '../../../../shared/providers';
import { useClient } from '../../store/context';
import { useAction } from './use-action';
import { ConfirmRemove } from './ConfirmRemove';
import {
  type Draft,
  draftFrom,
  type Field,
  type FieldErrors,
  MAX_EXPIRY_SECONDS,
  MIN_EXPIRY_SECONDS,
  validate,
} from './staging-draft';

/** The outcome of the last save, test or removal, announced politely. */
export type Notice = MethodResult<'staging.test'>;

export interface StagingFormProps {
  view: StagingView;
  onChanged: () => Promise<void>;
  onNotice: (notice: Notice | null) => void;
}

export function StagingForm({ view, onChanged, onNotice }: StagingFormProps): React.JSX.Element {
  const client = useClient();
  const ids = {
    endpoint: useId(),
    region: useId(),
    bucket: useId(),
    prefix: useId(),
    accessKeyId: useId(),
    secretAccessKey: useId(),
    urlExpirySeconds: useId(),
    saveError: useId(),
  };
  const [draft, setDraft] = useState<Draft>(() => draftFrom(view));
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  // The secret stays in the DOM input until it is sent.
  const secretInput = useRef<HTMLInputElement>(null);
  const [confirmingRemove, setConfirmingRemove] = useState(false);
  const save = useAction();
  const test = useAction();
  const remove = useAction();
  const secretSaved = view.secret.configured;

  const set = <K extends keyof Draft>(field: K, value: Draft[K]): void => {
    setDraft((current) => ({ ...current, [field]: value }));
  };

  const onSave = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (save.busy) return;
    onNotice(null);
    const secret = secretInput.current?.value.trim() ?? '';
    const errors = validate(draft, secret, secretSaved);
    setFieldErrors(errors);
    const firstInvalid = (Object.keys(errors) as Field[])[0];
    if (firstInvalid) {
      save.setError(null);
      document.getElementById(ids[firstInvalid])?.focus();
      return;
    }
    const region = draft.region.trim();
    const args: MethodArgs<'staging.configure'> = {
      endpoint: draft.endpoint.trim(),
      bucket: draft.bucket.trim(),
      prefix: draft.prefix.trim(),
      accessKeyId: draft.accessKeyId.trim(),
      urlExpirySeconds: Number(draft.urlExpirySeconds.trim()),
      cleanup: draft.cleanup,
      addressing: draft.addressing,
      ...(region ? { region } : {}),
      ...(secret ? { secretAccessKey: secret } : {}),
    };
    const saved = await save.run(async () => {
      await client.call('staging.configure', args);
    });
    if (!saved) return;
    if (secretInput.current) secretInput.current.value = '';
    onNotice({ ok: true, message: 'Staging storage saved. Use Test to check that Shootline can reach it.' });
    await onChanged();
  };

  const onTest = async (): Promise<void> => {
    onNotice(null);
    await test.run(async () => {
      const result = await client.call('staging.test', {});
      onNotice({ ok: result.ok, message: `${result.ok ? 'Test passed' : 'Test failed'}: ${result.message}` });
    });
  };

  const onRemove = async (): Promise<void> => {
    onNotice(null);
    const removed = await remove.run(async () => {
      await client.call('staging.clear', {});
    });
    if (!removed) return;
    setConfirmingRemove(false);
    onNotice({ ok: true, message: 'Staging storage removed.' });
    await onChanged();
  };

  const describedBy = (field: Field, hint?: string): string | undefined =>
    [hint, fieldErrors[field] ? `${ids[field]}-error` : undefined].filter(Boolean).join(' ') || undefined;

  const fieldError = (field: Field): React.JSX.Element | null => {
    const message = fieldErrors[field];
    return message ? (
      <p id={`${ids[field]}-error`} className="sp-error" role="alert">
        {message}
      </p>
    ) : null;
  };

  const expiryHintId = `${ids.urlExpirySeconds}-hint`;

  return (
    <>
      <p className="sp-key-status">
        {view.configured && view.settings
          ? `Set up · bucket ${view.settings.bucket}`
          : 'Not set up yet: providers that need a link cannot take local photos until it is.'}
        {secretSaved && ` · secret saved${view.secret.last4 ? `, ends in ${view.secret.last4}` : ''}`}
      </p>

      <form className="sp-form" noValidate onSubmit={(event) => void onSave(event)}>
        <div className="sp-row">
          <label className="sp-label" htmlFor={ids.endpoint}>
            Endpoint
          </label>
          <div className="sp-control">
            <input
              id={ids.endpoint}
              className="sp-input-wide"
              type="url"
              inputMode="url"
              spellCheck={false}
              maxLength={2000}
              placeholder="https://s3.eu-central-1.amazonaws.com"
              aria-invalid={fieldErrors.endpoint ? true : undefined}
              aria-describedby={describedBy('endpoint')}
              value={draft.endpoint}
              onChange={(event) => set('endpoint', event.target.value)}
            />
            {fieldError('endpoint')}
          </div>
        </div>

        <div className="sp-row">
          <label className="sp-label" htmlFor={ids.region}>
            Region
          </label>
          <div className="sp-control">
            <input
              id={ids.region}
              spellCheck={false}
              maxLength={64}
              placeholder="us-east-1"
              value={draft.region}
              onChange={(event) => set('region', event.target.value)}
            />
          </div>
        </div>

        <div className="sp-row">
          <label className="sp-label" htmlFor={ids.bucket}>
            Bucket
          </label>
          <div className="sp-control">
            <input
              id={ids.bucket}
              spellCheck={false}
              maxLength={63}
              aria-invalid={fieldErrors.bucket ? true : undefined}
              aria-describedby={describedBy('bucket')}
              value={draft.bucket}
              onChange={(event) => set('bucket', event.target.value)}
            />
            {fieldError('bucket')}
          </div>
        </div>

        <div className="sp-row">
          <label className="sp-label" htmlFor={ids.prefix}>
            Prefix
          </label>
          <div className="sp-control">
            <input
              id={ids.prefix}
              spellCheck={false}
              maxLength={500}
              placeholder="shootline/"
              value={draft.prefix}
              onChange={(event) => set('prefix', event.target.value)}
            />
          </div>
        </div>

        <div className="sp-row">
          <label className="sp-label" htmlFor={ids.accessKeyId}>
            Access key ID
          </label>
          <div className="sp-control">
            <input
              id={ids.accessKeyId}
              className="sp-input-wide"
              autoComplete="off"
              spellCheck={false}
              maxLength={500}
              aria-invalid={fieldErrors.accessKeyId ? true : undefined}
              aria-describedby={describedBy('accessKeyId')}
              value={draft.accessKeyId}
              onChange={(event) => set('accessKeyId', event.target.value)}
            />
            {fieldError('accessKeyId')}
          </div>
        </div>

        <div className="sp-row">
          <label className="sp-label" htmlFor={ids.secretAccessKey}>
            Secret access key
          </label>
          <div className="sp-control">
            <input
              id={ids.secretAccessKey}
              ref={secretInput}
              className="sp-input-wide"
              type="password"
              autoComplete="off"
              spellCheck={false}
              maxLength={500}
              placeholder={secretSaved ? 'Saved — leave empty to keep' : undefined}
              aria-invalid={fieldErrors.secretAccessKey ? true : undefined}
              aria-describedby={describedBy('secretAccessKey')}
            />
            {fieldError('secretAccessKey')}
          </div>
        </div>

        <div className="sp-row">
          <label className="sp-label" htmlFor={ids.urlExpirySeconds}>
            URL expiry (seconds)
          </label>
          <div className="sp-control">
            <input
              id={ids.urlExpirySeconds}
              className="sp-input-number"
              type="number"
              min={MIN_EXPIRY_SECONDS}
              max={MAX_EXPIRY_SECONDS}
              step={1}
              aria-invalid={fieldErrors.urlExpirySeconds ? true : undefined}
              aria-describedby={describedBy('urlExpirySeconds', expiryHintId)}
              value={draft.urlExpirySeconds}
              onChange={(event) => set('urlExpirySeconds', event.target.value)}
            />
            <p id={expiryHintId} className="sp-hint">
              How long a provider may fetch a staged photo: long enough for its queue, short enough that a leaked link
              dies.
            </p>
            {fieldError('urlExpirySeconds')}
          </div>
        </div>

        <fieldset className="sp-fieldset">
          <legend>Addressing</legend>
          <div className="sp-field">
            <label className="sp-check">
              <input
                type="radio"
                name={`${ids.endpoint}-addressing`}
                value="path"
                checked={draft.addressing === 'path'}
                onChange={() => set('addressing', 'path')}
              />
              Path-style
            </label>
            <label className="sp-check">
              <input
                type="radio"
                name={`${ids.endpoint}-addressing`}
                value="virtual"
                checked={draft.addressing === 'virtual'}
                onChange={() => set('addressing', 'virtual')}
              />
              Virtual-hosted
            </label>
          </div>
          <p className="sp-hint">
            Path-style links look like host/bucket/photo and suit MinIO and most S3-compatible services; virtual-hosted
            ones look like bucket.host/photo.
          </p>
        </fieldset>

        <label className="sp-check">
          <input type="checkbox" checked={draft.cleanup} onChange={(event) => set('cleanup', event.target.checked)} />
          Delete staged photos when their job ends
        </label>

        <div className="sp-field">
          <button
            type="submit"
            className="sp-button sp-button-primary"
            disabled={save.busy}
            aria-describedby={save.error ? ids.saveError : undefined}
          >
            {save.busy ? 'Saving…' : 'Save'}
          </button>
          {view.configured && (
            <button type="button" className="sp-button" disabled={test.busy} onClick={() => void onTest()}>
              {test.busy ? 'Testing…' : 'Test'}
            </button>
          )}
          {view.configured && !confirmingRemove && (
            <button
              type="button"
              className="sp-button sp-button-danger"
              onClick={() => {
                remove.setError(null);
                setConfirmingRemove(true);
              }}
            >
              Remove
            </button>
          )}
        </div>
        {save.error && (
          <p id={ids.saveError} className="sp-error" role="alert">
            {save.error}
          </p>
        )}
        {test.error && (
          <p className="sp-error" role="alert">
            {test.error}
          </p>
        )}
        {view.configured && <p className="sp-hint">Test checks the saved settings.</p>}
      </form>

      {confirmingRemove && (
        <ConfirmRemove
          label="Confirm removing staging storage"
          action="Remove staging storage"
          busy={remove.busy}
          onConfirm={() => void onRemove()}
          onCancel={() => setConfirmingRemove(false)}
        >
          Remove staging storage? Providers that need a link stop taking local photos until it is set up again. Photos
          already in the bucket stay there.
        </ConfirmRemove>
      )}
      {remove.error && (
        <p className="sp-error" role="alert">
          {remove.error}
        </p>
      )}
    </>
  );
}
