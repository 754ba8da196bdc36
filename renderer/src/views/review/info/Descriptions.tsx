import { useEffect, useState } from 'react';
import { AppError } from '../../../../../shared/errors';
import type { Variant } from '../../../../../shared/jobs';
import { useApp, useClient } from '../../../store/context';

const EMPTY: readonly Variant[] = [];

/**
 * A photo's descriptions (text variants): read, copied, edited by hand and approved. Export takes
 * the approved one (else the picked one, else the newest not rejected) as the preset says.
 */
export function Descriptions({ assetId }: { assetId: string }): React.JSX.Element | null {
  const variants = useApp((state) => state.variantsByAsset[assetId]) ?? EMPTY;
  const texts = variants.filter((variant) => variant.kind === 'text');
  if (texts.length === 0) return null;
  return (
    <section aria-label="Descriptions" className="info-descriptions">
      <h4>{texts.length === 1 ? 'Description' : `Descriptions (${texts.length})`}</h4>
      {texts.map((variant, index) => (
        <Description key={variant.id} variant={variant} number={texts.length > 1 ? index + 1 : null} />
      ))}
    </section>
  );
}

function Description({ variant, number }: { variant: Variant; number: number | null }): React.JSX.Element {
  const client = useClient();
  const say = useApp((state) => state.say);
  const updateVariant = useApp((state) => state.updateVariant);
  // Keyed by the media id: an edit (here or in another window) is a new file, read again.
  const [read, setRead] = useState<{ mediaId: string; text: string | null; problem: string | null } | null>(null);
  const [draft, setDraft] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    let current = true;
    const mediaId = variant.mediaId;
    client
      .call('variants.text', { id: variant.id })
      .then(({ text }) => current && setRead({ mediaId, text, problem: null }))
      .catch(
        (error: unknown) =>
          current &&
          setRead({ mediaId, text: null, problem: error instanceof AppError ? error.message : 'It cannot be read.' }),
      );
    return () => {
      current = false;
    };
  }, [client, variant.id, variant.mediaId]);

  const text = read?.mediaId === variant.mediaId ? read.text : null;
  const name = number === null ? 'Description' : `Description ${number}`;

  const copy = async (): Promise<void> => {
    if (text === null) return;
    try {
      await navigator.clipboard.writeText(text.trim());
      say(`${name} copied.`);
    } catch {
      say('The clipboard refused the text: select it and copy it by hand.');
    }
  };

  const save = async (): Promise<void> => {
    if (draft === null) return;
    setSaving(true);
    try {
      await client.call('variants.setText', { id: variant.id, text: draft });
      setDraft(null);
      say(`${name} saved.`);
    } catch (error) {
      say(error instanceof AppError ? error.message : 'The description could not be saved.');
    } finally {
      setSaving(false);
    }
  };

  return (
    <article className="info-description" data-testid="description" aria-label={name}>
      {draft !== null ? (
        <textarea
          aria-label={`Edit ${name.toLowerCase()}`}
          value={draft}
          rows={6}
          maxLength={20_000}
          onChange={(event) => setDraft(event.target.value)}
        />
      ) : text !== null ? (
        <p className="info-description-text">{text}</p>
      ) : (
        <p className="muted">{read?.problem ?? 'Reading…'}</p>
      )}
      <div className="info-description-actions">
        {draft !== null ? (
          <>
            <button type="button" disabled={saving || draft.trim() === ''} onClick={() => void save()}>
              Save
            </button>
            <button type="button" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </>
        ) : (
          <>
            <button type="button" disabled={text === null} onClick={() => void copy()}>
              Copy
            </button>
            <button type="button" disabled={text === null} onClick={() => setDraft(text?.trim() ?? '')}>
              Edit
            </button>
            <button
              type="button"
              aria-pressed={variant.approved}
              onClick={() => void updateVariant(variant.id, { approved: !variant.approved }, name)}
              title="The approved description is the one exports use"
            >
              {variant.approved ? 'Approved' : 'Approve'}
            </button>
          </>
        )}
      </div>
    </article>
  );
}
