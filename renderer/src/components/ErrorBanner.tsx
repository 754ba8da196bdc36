import { useApp } from '../store/context';

export function ErrorBanner(): React.JSX.Element | null {
  const error = useApp((state) => state.error);
  const dismiss = useApp((state) => state.dismissError);
  if (!error) return null;
  return (
    <div className="banner banner-error" role="alert">
      <span>{error}</span>
      <button type="button" className="link-button" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}
