/** A control's own failure, announced as it appears; nothing when there is none. */
export function InlineError({ id, message }: { id?: string; message: string | null }): React.JSX.Element | null {
  if (!message) return null;
  return (
    <p id={id} className="sp-error" role="alert">
      {message}
    </p>
  );
}
