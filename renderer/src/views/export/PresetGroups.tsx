/**
 * The preset editor's groups for the file and the picture (format, size, watermark, AI disclosure),
 * each one `export-group` fieldset; the editor itself keeps the name and the naming group.
 */

import {
  ANCHOR_LABELS,
  ANCHORS,
  type Anchor,
  COLOUR_SPACE_LABELS,
  COLOUR_SPACES,
  type ColourSpace,
  CROP_LABELS,
  CROPS,
  type Crop,
  type ExportFormat,
  FORMAT_LABELS,
  FORMATS,
  LOSSLESS,
  METADATA_LABELS,
  METADATA_POLICIES,
  type MetadataPolicy,
  type PresetDraft,
  SIZE_MODE_LABELS,
  SIZE_MODES,
  SIZE_VALUE_LABELS,
  type SizeMode,
  type SmallChoice,
  SMALL_CHOICES,
  SMALL_LABELS,
  sizeValueFor,
  WATERMARK_LABELS,
  WATERMARK_KINDS,
  type WatermarkKind,
} from './export-model';
import { Check, Choice, Field, NumberField, type Change } from './PresetControls';

interface PresetGroupProps {
  draft: PresetDraft;
  onChange: Change;
}

/** Format, quality and what the file carries. */
export function FileGroup({ draft, onChange }: PresetGroupProps): React.JSX.Element {
  const lossless = LOSSLESS.has(draft.format);
  return (
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
          hint={lossless ? 'PNG and TIFF cannot be made smaller to fit.' : 'Quality is lowered (not below 40) to fit.'}
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
  );
}

/** How the picture is resized. */
export function SizeGroup({ draft, onChange }: PresetGroupProps): React.JSX.Element {
  return (
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
        <div className="export-field-grid">
          <Choice<SmallChoice>
            label="Photos smaller than this"
            value={draft.small}
            options={SMALL_CHOICES}
            labels={SMALL_LABELS}
            onChange={(small) => onChange({ small })}
          />
        </div>
      )}
    </fieldset>
  );
}

/** A text or PNG watermark and where it sits. */
export function WatermarkGroup({ draft, onChange }: PresetGroupProps): React.JSX.Element {
  return (
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
  );
}

/** The label and metadata that mark AI-edited photos. */
export function AiDisclosureGroup({ draft, onChange }: PresetGroupProps): React.JSX.Element {
  return (
    <fieldset className="export-group">
      <legend>AI disclosure</legend>
      <p className="muted export-note">Applies only to AI-edited or generated photos, never to untouched originals.</p>
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
      <Check label="Write AI metadata" checked={draft.aiMetadata} onChange={(aiMetadata) => onChange({ aiMetadata })} />
    </fieldset>
  );
}
