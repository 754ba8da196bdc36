import { hintFor } from '../../shortcut-sheet';
import type { BrushSettings } from './brush-settings';
import { clear, fill, invert, redo, undo, type MaskHistory } from './mask-history';

/** The editor's controls: tool, brush, pen pressure, overlay, edits, zoom, save. Every button names its key. */
export function MaskToolbar(props: {
  brush: BrushSettings;
  setBrush: (change: Partial<BrushSettings>) => void;
  canUndo: boolean;
  canRedo: boolean;
  onEdit: (change: (history: MaskHistory) => MaskHistory) => void;
  onFit: () => void;
  onZoom: () => void;
  onSave: () => void;
  onRefine: () => void;
  refining: boolean;
  onClose: () => void;
  unsaved: boolean;
  title: string;
}): React.JSX.Element {
  const { brush, setBrush, onEdit } = props;
  return (
    <div className="mask-toolbar" role="toolbar" aria-label="Mask tools">
      <strong className="mask-title">{props.title}</strong>
      <div className="mask-group" role="group" aria-label="Tool">
        <button
          type="button"
          aria-pressed={brush.tool === 'brush'}
          onClick={() => setBrush({ tool: 'brush' })}
          title="Brush (B)"
        >
          Brush
        </button>
        <button
          type="button"
          aria-pressed={brush.tool === 'box'}
          onClick={() => setBrush({ tool: 'box' })}
          title="Drag a box around an object: the selection snaps to its edges"
        >
          Box
        </button>
        <button
          type="button"
          aria-pressed={brush.tool === 'colour'}
          onClick={() => setBrush({ tool: 'colour' })}
          title="Click a colour to select it"
        >
          Colour
        </button>
        <button
          type="button"
          aria-pressed={brush.tool === 'eraser'}
          onClick={() => setBrush({ tool: 'eraser' })}
          title="Eraser (E; right-drag or Alt-drag also erase)"
        >
          Eraser
        </button>
      </div>
      {brush.tool === 'colour' ? (
        <>
          <label className="mask-slider">
            Tolerance
            <input
              type="range"
              min={0}
              max={0.6}
              step={0.01}
              value={brush.colourTolerance}
              onChange={(event) => setBrush({ colourTolerance: Number(event.target.value) })}
            />
          </label>
          <label>
            <input
              type="checkbox"
              checked={brush.colourContiguous}
              onChange={(event) => setBrush({ colourContiguous: event.target.checked })}
            />{' '}
            connected only
          </label>
        </>
      ) : null}
      <label className="mask-slider" title="[ and ] · Alt + right-drag sideways">
        Size
        <input
          type="range"
          min={0.002}
          max={0.3}
          step={0.001}
          value={brush.size}
          onChange={(event) => setBrush({ size: Number(event.target.value) })}
        />
      </label>
      <label className="mask-slider" title="Shift [ and Shift ] · Alt + right-drag up and down">
        Hardness
        <input
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={brush.hardness}
          onChange={(event) => setBrush({ hardness: Number(event.target.value) })}
        />
      </label>
      <label className="mask-slider">
        Opacity
        <input
          type="range"
          min={0.05}
          max={1}
          step={0.05}
          value={brush.opacity}
          onChange={(event) => setBrush({ opacity: Number(event.target.value) })}
        />
      </label>
      <fieldset className="mask-group">
        <legend>Pen pressure</legend>
        <label>
          <input
            type="checkbox"
            checked={brush.pressureSize}
            onChange={(event) => setBrush({ pressureSize: event.target.checked })}
          />{' '}
          size
        </label>
        <label>
          <input
            type="checkbox"
            checked={brush.pressureOpacity}
            onChange={(event) => setBrush({ pressureOpacity: event.target.checked })}
          />{' '}
          opacity
        </label>
      </fieldset>
      <div className="mask-group" role="group" aria-label="Overlay">
        <label title="O shows or hides it; hold H to look under it">
          <input
            type="checkbox"
            checked={brush.overlayShown}
            onChange={(event) => setBrush({ overlayShown: event.target.checked })}
          />{' '}
          Overlay
        </label>
        <input
          type="color"
          aria-label="Overlay colour"
          value={brush.overlayColour}
          onChange={(event) => setBrush({ overlayColour: event.target.value })}
        />
        <input
          type="range"
          aria-label="Overlay opacity"
          min={0.1}
          max={1}
          step={0.05}
          value={brush.overlayOpacity}
          onChange={(event) => setBrush({ overlayOpacity: Number(event.target.value) })}
        />
      </div>
      <div className="mask-group" role="group" aria-label="Edit">
        <button type="button" disabled={!props.canUndo} onClick={() => onEdit(undo)} title="Ctrl/⌘ Z">
          Undo
        </button>
        <button type="button" disabled={!props.canRedo} onClick={() => onEdit(redo)} title="Ctrl/⌘ Shift Z · Ctrl Y">
          Redo
        </button>
        <button type="button" onClick={() => onEdit(invert)} title="Ctrl/⌘ I">
          Invert
        </button>
        <button type="button" onClick={() => onEdit(fill)} title="Shift Backspace">
          Fill
        </button>
        <button type="button" onClick={() => onEdit(clear)} title="Delete">
          Clear
        </button>
        <button
          type="button"
          disabled={props.refining}
          onClick={props.onRefine}
          title="Snaps a rough painted area to the object's borders"
        >
          {props.refining ? 'Refining…' : 'Refine to edges'}
        </button>
      </div>
      <div className="mask-group" role="group" aria-label="Zoom">
        <button type="button" onClick={props.onFit}>
          Fit
        </button>
        <button type="button" onClick={props.onZoom} title="Z toggles fit and 100%">
          100%
        </button>
      </div>
      <div className="mask-group mask-end">
        <button type="button" className="primary" onClick={props.onSave} title="Ctrl/⌘ S">
          {props.unsaved ? 'Save' : 'Saved'}
        </button>
        <button type="button" onClick={props.onClose} title="Esc">
          Close
        </button>
      </div>
      <p className="hint muted mask-hint">
        {hintFor([
          'mask.brush',
          'mask.eraser',
          'mask.larger',
          'mask.harder',
          'mask.overlay',
          'mask.peek',
          'mask.undo',
          'mask.zoom',
          'mask.pan',
          'mask.save',
          'mask.close',
        ])}{' '}
        · wheel zooms · Shift-click draws a line · right-drag erases
      </p>
    </div>
  );
}
