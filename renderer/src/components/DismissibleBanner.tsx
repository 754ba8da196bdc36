import { createPortal } from 'react-dom';
import { useBannerHost } from './banner-host';

/**
 * A message the user reads and dismisses: an error (role alert) or a notice (role status). It is
 * drawn in the window's message stack (see banner-host), wherever the view that says it lives.
 */
export function DismissibleBanner({
  kind,
  children,
  onDismiss,
}: {
  kind: 'error' | 'notice';
  children: React.ReactNode;
  onDismiss: () => void;
}): React.JSX.Element | null {
  const host = useBannerHost();
  const banner = (
    <div className={kind === 'error' ? 'banner banner-error' : 'banner'} role={kind === 'error' ? 'alert' : 'status'}>
      <span>{children}</span>
      <button type="button" className="link-button" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
  return host ? createPortal(banner, host) : null;
}
