import { AURAX_ID, createAuraxProvider, type AuraxOptions } from '../../main/engine/providers/aurax';
import { DEFAULT_API_KEY, DEFAULT_KEY_ID, type AuraxSandbox } from '../sandbox/aurax/server';
import { call, startTestEngine } from './engine';

/** An engine whose AuraX (the module as shipped, polling faster) points at the sandbox, with both account values set. */
export async function engineWithAurax(sandbox: AuraxSandbox, options: AuraxOptions = {}) {
  const started = startTestEngine({
    stabilityMs: 200,
    providers: [createAuraxProvider({ pollIntervalMs: 30, streamIdleMs: 2_000, ...options })],
  });
  const { engine } = started;
  await call(engine, 'providers.configure', { provider: AURAX_ID, baseUrl: sandbox.baseUrl });
  await call(engine, 'providers.setKey', { provider: AURAX_ID, key: DEFAULT_API_KEY });
  await call(engine, 'providers.setKey', { provider: AURAX_ID, field: 'key-id', key: DEFAULT_KEY_ID });
  return started;
}
