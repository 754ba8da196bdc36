/** A message the user reads and dismisses: an error (role alert) or a notice (role status). */
export function DismissibleBanner({
  kind,
  children,
  onDismiss,
}: {
  kind: 'error' | 'notice';
  children: React.ReactNode;
  onDismiss: () => void;
}): React.JSX.Element {
  return (
    <div className={kind === 'error' ? 'banner banner-error' : 'banner'} role={kind === 'error' ? 'alert' : 'status'}>
      <span>{children}</span>
      <button type="button" className="link-button" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
