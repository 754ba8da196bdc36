import { useEffect, useState } from 'react';
import type { MethodResult } from '../../../../shared/api';
import type { ProviderView } from '../../../../shared/providers';
import { useClient } from '../../store/context';
import { useAction } from './use-action';
import { InlineError } from './InlineError';

type AgentSettings = MethodResult<'providers.agent'>;

/** AIXpose's agent: preferences it learned from the user's edits, and whether it applies them itself. */
export function ProviderAgentSection({ provider }: { provider: ProviderView }): React.JSX.Element | null {
  const client = useClient();
  const [agent, setAgent] = useState<AgentSettings | null>(null);
  const update = useAction();

  useEffect(() => {
    let live = true;
    // An account without an agent, or one that cannot be reached, simply shows no agent section.
    client.call('providers.agent', { provider: provider.id }).then(
      (settings) => {
        if (live) setAgent(settings);
      },
      () => {
        if (live) setAgent(null);
      },
    );
    return () => {
      live = false;
    };
  }, [client, provider.id]);

  if (!agent) return null;

  const change = async (patch: { enabled?: boolean; autoApply?: boolean }): Promise<void> => {
    const before = agent;
    // Optimistic: the box moves at once; the provider's answer (or the old value, on error) wins.
    setAgent({ ...before, ...patch });
    const saved = await update.run(async () => {
      setAgent(await client.call('providers.updateAgent', { provider: provider.id, ...patch }));
    });
    if (!saved) setAgent(before);
  };

  return (
    <fieldset className="sp-fieldset" disabled={update.busy}>
      <legend>{provider.name} agent</legend>
      <p className="sp-hint">
        The agent learns your preferences from the edits you keep; with auto-apply it uses them on new work without
        asking.
      </p>
      <div className="sp-field">
        <label className="sp-check">
          <input
            type="checkbox"
            checked={agent.enabled}
            onChange={(event) => void change({ enabled: event.target.checked })}
          />
          Enabled
        </label>
        <label className="sp-check">
          <input
            type="checkbox"
            checked={agent.autoApply}
            onChange={(event) => void change({ autoApply: event.target.checked })}
          />
          Auto-apply
        </label>
      </div>
      {agent.learnedPreferences.length > 0 && (
        <p className="sp-hint">Learned so far: {agent.learnedPreferences.join(' · ')}</p>
      )}
      <InlineError message={update.error} />
    </fieldset>
  );
}
