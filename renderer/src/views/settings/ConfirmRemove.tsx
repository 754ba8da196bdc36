/** The second step of a "Remove…" button: says what removing does, then removes or cancels. */
export function ConfirmRemove(props: {
  /** Names the group for assistive tech, e.g. "Confirm removing the AIXpose key". */
  label: string;
  children: React.ReactNode;
  action: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}): React.JSX.Element {
  return (
    <div className="sp-confirm" role="group" aria-label={props.label}>
      <p>{props.children}</p>
      <div className="sp-field">
        <button type="button" className="sp-button sp-button-danger" disabled={props.busy} onClick={props.onConfirm}>
          {props.busy ? 'Removing…' : props.action}
        </button>
        <button type="button" className="sp-button" disabled={props.busy} onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
