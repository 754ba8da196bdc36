import { useRef } from 'react';
import {
  type CollisionPolicy,
  COLLISION_LABELS,
  COLLISIONS,
  type DescriptionPlace,
  DESCRIPTION_LABELS,
  DESCRIPTIONS,
  type ExportSelection,
  NAME_TOKENS,
  type PresetDraft,
  SELECTION_LABELS,
  SELECTIONS,
} from './export-model';
import { insertToken } from './export-words';
import { NAME_TOKEN_WORDS } from '../../../../shared/export-preset';
import { Check, Choice, Field, type Change } from './PresetControls';
import { AiDisclosureGroup, FileGroup, SizeGroup, WatermarkGroup } from './PresetGroups';

/**
 * Every field of an export preset. Built-in presets are shown read-only (the whole form is one
 * disabled fieldset) until the user duplicates them.
 */
export function PresetEditor(props: { draft: PresetDraft; readOnly: boolean; onChange: Change }): React.JSX.Element {
  const { draft, onChange } = props;
  const fileNameInput = useRef<HTMLInputElement>(null);

  const addToken = (token: string): void => {
    const input = fileNameInput.current;
    const selection =
      input && input.selectionStart !== null && input.selectionEnd !== null
        ? { start: input.selectionStart, end: input.selectionEnd }
        : null;
    const next = insertToken(draft.filenameTemplate, token, selection);
    onChange({ filenameTemplate: next.value });
    // Put the caret after the token once React has written the new value.
    window.requestAnimationFrame(() => {
      input?.focus();
      input?.setSelectionRange(next.caret, next.caret);
    });
  };

  return (
    <fieldset className="preset-fields" disabled={props.readOnly}>
      <legend className="visually-hidden">Preset settings</legend>
      <div className="export-field-grid">
        <Field label="Preset name" wide>
          {(id) => (
            <input
              id={id}
              type="text"
              maxLength={100}
              value={draft.name}
              onChange={(event) => onChange({ name: event.target.value })}
            />
          )}
        </Field>
        <Choice<ExportSelection>
          label="What to export"
          value={draft.what}
          options={SELECTIONS}
          labels={SELECTION_LABELS}
          onChange={(what) => onChange({ what })}
        />
      </div>

      <FileGroup draft={draft} onChange={onChange} />
      <SizeGroup draft={draft} onChange={onChange} />
      <WatermarkGroup draft={draft} onChange={onChange} />
      <AiDisclosureGroup draft={draft} onChange={onChange} />

      <fieldset className="export-group">
        <legend>Names</legend>
        <div className="export-field-grid">
          <Field label="Output folder" wide hint="Inside the export folder; / separates folders.">
            {(id, hintId) => (
              <input
                id={id}
                type="text"
                spellCheck={false}
                aria-describedby={hintId}
                value={draft.outputFolder}
                onChange={(event) => onChange({ outputFolder: event.target.value })}
              />
            )}
          </Field>
          <Field label="File name" wide hint="Without the extension, which comes from the format.">
            {(id, hintId) => (
              <input
                id={id}
                ref={fileNameInput}
                type="text"
                spellCheck={false}
                aria-describedby={hintId}
                value={draft.filenameTemplate}
                onChange={(event) => onChange({ filenameTemplate: event.target.value })}
              />
            )}
          </Field>
        </div>
        {props.readOnly ? null : (
          <div className="export-tokens" role="group" aria-label="Insert a token">
            {NAME_TOKENS.map((token) => (
              <button
                key={token}
                type="button"
                className="export-token"
                title={`Insert {${token}} (${NAME_TOKEN_WORDS[token]}) into the file name`}
                onClick={() => addToken(token)}
              >
                {`{${token}}`} <span className="export-token-words">{NAME_TOKEN_WORDS[token]}</span>
              </button>
            ))}
          </div>
        )}
        <div className="export-field-grid">
          <Choice<CollisionPolicy>
            label="If a file exists"
            value={draft.collision}
            options={COLLISIONS}
            labels={COLLISION_LABELS}
            onChange={(collision) => onChange({ collision })}
          />
          <Choice<DescriptionPlace>
            label="Descriptions"
            value={draft.descriptions}
            options={DESCRIPTIONS}
            labels={DESCRIPTION_LABELS}
            onChange={(descriptions) => onChange({ descriptions })}
          />
        </div>
        <Check
          label="Keep folder tree"
          checked={draft.keepFolderTree}
          onChange={(keepFolderTree) => onChange({ keepFolderTree })}
        />
        <Check
          label="Altered work: the unaltered original beside each altered picture, and alterations.csv (MLS, AB 723)"
          checked={draft.pairOriginals}
          onChange={(pairOriginals) => onChange({ pairOriginals })}
        />
      </fieldset>
    </fieldset>
  );
}
