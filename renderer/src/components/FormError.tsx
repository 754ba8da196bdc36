/** A form's or dialog's error, read out at once (role alert); nothing when there is none. */
export function FormError({ error }: { error: string | null }): React.JSX.Element | null {
  if (!error) return null;
  return (
    <p role="alert" className="form-error">
      {error}
    </p>
  );
}
