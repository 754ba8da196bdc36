import { useApp } from '../store/context';

const MESSAGES = {
  connecting: 'Connecting to the Shootline engine…',
  reconnecting: 'Lost the connection to the Shootline engine. Reconnecting…',
  unauthorized:
    'The engine refused this page: its token is missing or out of date. Open the link the server printed at start.',
  closed: 'Disconnected from the Shootline engine.',
} as const;

export function ConnectionBanner(): React.JSX.Element | null {
  const connection = useApp((state) => state.connection);
  if (connection === 'open') return null;
  const severe = connection === 'unauthorized' || connection === 'closed';
  return (
    <div className={severe ? 'banner banner-error' : 'banner'} role="status" data-connection={connection}>
      {MESSAGES[connection]}
    </div>
  );
}
