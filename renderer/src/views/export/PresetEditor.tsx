import { useId, useRef } from 'react';
import {
  ANCHOR_LABELS,
  ANCHORS,
  type Anchor,
  COLLISION_LABELS,
  COLLISIONS,
  type CollisionPolicy,
  COLOUR_SPACE_LABELS,
  COLOUR_SPACES,
  type ColourSpace,
  CROP_LABELS,
  CROPS,
  type Crop,
  type ExportFormat,
  type ExportSelection,
  FORMAT_LABELS,
  FORMATS,
  insertToken,
  LOSSLESS,
  METADATA_LABELS,
  METADATA_POLICIES,
  type MetadataPolicy,
  NAME_TOKENS,
  type PresetDraft,
  SELECTION_LABELS,
  SELECTIONS,
  SIZE_MODE_LABELS,
  SIZE_MODES,
  SIZE_VALUE_LABELS,
  type SizeMode,
  sizeValueFor,
  WATERMARK_LABELS,
  WATERMARK_KINDS,
  type WatermarkKind,
} from './export-model';

type Change = (patch: Partial<PresetDraft>) => void;

/** A control with its label above it, tied by id so the label alone is the control's accessible name. */
function Field(props: {
  label: string;
  hint?: string;
  wide?: boolean;
  children: (id: string, hintId: string | undefined) => React.ReactNode;
}): React.JSX.Element {
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : undefined;
  return (
    <div className={props.wide ? 'export-field export-field-wide' : 'export-field'}>
      <label htmlFor={id}>{props.label}</label>
      {props.children(id, hintId)}
      {props.hint ? (
        <small id={hintId} className="muted">
          {props.hint}
        </small>
      ) : null}
    </div>
  );
}

function Choice<T extends string>(props: {
  label: string;
  value: T;
  options: readonly T[];
  labels: Record<T, string>;
  onChange: (value: T) => void;
  hint?: string;
}): React.JSX.Element {
  const { options, onChange } = props;
  return (
    <Field label={props.label} {...(props.hint ? { hint: props.hint } : {})}>
      {(id, hintId) => (
        <select
          id={id}
          aria-describedby={hintId}
          value={props.value}
          onChange={(event) => {
            const picked = options.find((option) => option === event.target.value);
            if (picked !== undefined) onChange(picked);
          }}
        >
          {options.map((option) => (
            <option key={option} value={option}>
              {props.labels[option]}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function NumberField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  min?: number;
  max?: number;
  step?: number | 'any';
  placeholder?: string;
  hint?: string;
}): React.JSX.Element {
  return (
    <Field label={props.label} {...(props.hint ? { hint: props.hint } : {})}>
      {(id, hintId) => (
        <input
          id={id}
          type="number"
          inputMode="decimal"
          aria-describedby={hintId}
          value={props.value}
          min={props.min}
          max={props.max}
          step={props.step ?? 'any'}
          placeholder={props.placeholder}
          onChange={(event) => props.onChange(event.target.value)}
        />
      )}
    </Field>
  );
}

function Check(props: { label: string; checked: boolean; onChange: (checked: boolean) => void }): React.JSX.Element {
  return (
    <label className="export-check">
      <input type="checkbox" checked={props.checked} onChange={(event) => props.onChange(event.target.checked)} />{' '}
      {props.label}
    </label>
  );
}

/**
 * Every field of an export preset. Built-in presets are shown read-only (the whole form is one
 * disabled fieldset) until the user duplicates them.
 */
export function PresetEditor(props: { draft: PresetDraft; readOnly: boolean; onChange: Change }): React.JSX.Element {
  const { draft, onChange } = props;
  const fileNameInput = useRef<HTMLInputElement>(null);
  const lossless = LOSSLESS.has(draft.format);

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

      <fieldset className="export-group">
        <legend>File</legend>
        <div className="export-field-grid">
          <Choice<ExportFormat>
            label="Format"
            value={draft.format}
            options={FORMATS}
            labels={FORMAT_LABELS}
            onChange={(format) => onChange({ format })}
          />
          {lossless ? null : (
            <Field label="Quality">
              {(id) => (
                <span className="export-slider">
                  <input
                    id={id}
                    type="range"
                    min={1}
                    max={100}
                    step={1}
                    value={draft.quality}
                    onChange={(event) => onChange({ quality: Number(event.target.value) })}
                  />
                  <output htmlFor={id}>{draft.quality}</output>
                </span>
              )}
            </Field>
          )}
          {draft.format === 'tiff' ? (
            <Field label="Bit depth">
              {(id) => (
                <select
                  id={id}
                  value={String(draft.bitDepth)}
                  onChange={(event) => onChange({ bitDepth: event.target.value === '16' ? 16 : 8 })}
                >
                  <option value="8">8 bits per channel</option>
                  <option value="16">16 bits per channel</option>
                </select>
              )}
            </Field>
          ) : null}
          <NumberField
            label="Max file size (MB)"
            value={draft.maxFileMb}
            min={0.01}
            step={0.1}
            placeholder="No limit"
            hint={
              lossless ? 'PNG and TIFF cannot be made smaller to fit.' : 'Quality is lowered (not below 40) to fit.'
            }
            onChange={(maxFileMb) => onChange({ maxFileMb })}
          />
          <Choice<ColourSpace>
            label="Colour space"
            value={draft.colourSpace}
            options={COLOUR_SPACES}
            labels={COLOUR_SPACE_LABELS}
            onChange={(colourSpace) => onChange({ colourSpace })}
          />
          {draft.colourSpace === 'srgb' ? (
            <Check
              label="Embed colour profile"
              checked={draft.embedProfile}
              onChange={(embedProfile) => onChange({ embedProfile })}
            />
          ) : null}
          <Choice<MetadataPolicy>
            label="Metadata"
            value={draft.metadata}
            options={METADATA_POLICIES}
            labels={METADATA_LABELS}
            onChange={(metadata) => onChange({ metadata })}
          />
        </div>
      </fieldset>

      <fieldset className="export-group">
        <legend>Size</legend>
        <div className="export-field-grid">
          <Choice<SizeMode>
            label="Resize"
            value={draft.sizeMode}
            options={SIZE_MODES}
            labels={SIZE_MODE_LABELS}
            onChange={(sizeMode) => onChange({ sizeMode, sizeValue: sizeValueFor(sizeMode, draft.sizeValue) })}
          />
          {draft.sizeMode === 'exact' ? (
            <>
              <NumberField
                label="Width (px)"
                value={draft.exactWidth}
                min={16}
                max={65_535}
                step={1}
                onChange={(exactWidth) => onChange({ exactWidth })}
              />
              <NumberField
                label="Height (px)"
                value={draft.exactHeight}
                min={16}
                max={65_535}
                step={1}
                onChange={(exactHeight) => onChange({ exactHeight })}
              />
              <Choice<Crop>
                label="Crop"
                value={draft.crop}
                options={CROPS}
                labels={CROP_LABELS}
                onChange={(crop) => onChange({ crop })}
              />
            </>
          ) : draft.sizeMode === 'original' ? null : (
            <NumberField
              label={SIZE_VALUE_LABELS[draft.sizeMode] ?? 'Size'}
              value={draft.sizeValue}
              {...(draft.sizeMode === 'megapixels'
                ? { min: 0.1, max: 268, step: 0.1 }
                : { min: 16, max: 65_535, step: 1 })}
              onChange={(sizeValue) => onChange({ sizeValue })}
            />
          )}
        </div>
        {draft.sizeMode === 'original' ? null : (
          <Check label="Enlarge small photos" checked={draft.enlarge} onChange={(enlarge) => onChange({ enlarge })} />
        )}
      </fieldset>

      <fieldset className="export-group">
        <legend>Watermark</legend>
        <div className="export-field-grid">
          <Choice<WatermarkKind>
            label="Watermark"
            value={draft.watermarkKind}
            options={WATERMARK_KINDS}
            labels={WATERMARK_LABELS}
            onChange={(watermarkKind) => onChange({ watermarkKind })}
          />
          {draft.watermarkKind === 'text' ? (
            <Field label="Watermark text" wide>
              {(id) => (
                <input
                  id={id}
                  type="text"
                  maxLength={200}
                  value={draft.watermarkText}
                  placeholder="© Your Studio"
                  onChange={(event) => onChange({ watermarkText: event.target.value })}
                />
              )}
            </Field>
          ) : null}
          {draft.watermarkKind === 'image' ? (
            <Field label="Watermark PNG path" wide hint="The full path of a PNG file with transparency.">
              {(id, hintId) => (
                <input
                  id={id}
                  type="text"
                  spellCheck={false}
                  aria-describedby={hintId}
                  value={draft.watermarkPngPath}
                  onChange={(event) => onChange({ watermarkPngPath: event.target.value })}
                />
              )}
            </Field>
          ) : null}
          {draft.watermarkKind === 'none' ? null : (
            <>
              <Choice<Anchor>
                label="Watermark position"
                value={draft.watermarkPosition}
                options={ANCHORS}
                labels={ANCHOR_LABELS}
                onChange={(watermarkPosition) => onChange({ watermarkPosition })}
              />
              <NumberField
                label="Watermark margin (%)"
                value={draft.watermarkMarginPct}
                min={0}
                max={25}
                step={0.5}
                hint="Of the long edge."
                onChange={(watermarkMarginPct) => onChange({ watermarkMarginPct })}
              />
              <Field label="Watermark opacity (%)">
                {(id) => (
                  <span className="export-slider">
                    <input
                      id={id}
                      type="range"
                      min={0}
                      max={100}
                      step={5}
                      value={draft.watermarkOpacityPct}
                      onChange={(event) => onChange({ watermarkOpacityPct: Number(event.target.value) })}
                    />
                    <output htmlFor={id}>{draft.watermarkOpacityPct}%</output>
                  </span>
                )}
              </Field>
              <NumberField
                label="Watermark scale (%)"
                value={draft.watermarkScalePct}
                min={1}
                max={100}
                step={1}
                hint="Its longer side, as a share of the long edge."
                onChange={(watermarkScalePct) => onChange({ watermarkScalePct })}
              />
            </>
          )}
        </div>
      </fieldset>

      <fieldset className="export-group">
        <legend>AI disclosure</legend>
        <p className="muted export-note">
          Applies only to AI-edited or generated photos, never to untouched originals.
        </p>
        <div className="export-field-grid">
          <Field label="AI label text" wide hint="Drawn on the picture. Leave empty for no label.">
            {(id, hintId) => (
              <input
                id={id}
                type="text"
                maxLength={100}
                aria-describedby={hintId}
                value={draft.aiLabelText}
                placeholder="Virtually staged"
                onChange={(event) => onChange({ aiLabelText: event.target.value })}
              />
            )}
          </Field>
          {draft.aiLabelText.trim() === '' ? null : (
            <>
              <Choice<Anchor>
                label="AI label position"
                value={draft.aiLabelPosition}
                options={ANCHORS}
                labels={ANCHOR_LABELS}
                onChange={(aiLabelPosition) => onChange({ aiLabelPosition })}
              />
              <NumberField
                label="AI label size (%)"
                value={draft.aiLabelSizePct}
                min={0.5}
                max={20}
                step={0.5}
                hint="Text height, of the short edge."
                onChange={(aiLabelSizePct) => onChange({ aiLabelSizePct })}
              />
            </>
          )}
        </div>
        <Check
          label="Write AI metadata"
          checked={draft.aiMetadata}
          onChange={(aiMetadata) => onChange({ aiMetadata })}
        />
      </fieldset>

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
                title={`Insert {${token}} into the file name`}
                onClick={() => addToken(token)}
              >
                {`{${token}}`}
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
        </div>
        <Check
          label="Keep folder tree"
          checked={draft.keepFolderTree}
          onChange={(keepFolderTree) => onChange({ keepFolderTree })}
        />
      </fieldset>
    </fieldset>
  );
}
