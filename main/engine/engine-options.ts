import path from 'node:path';
import { systemClock, type Clock } from './clock';
import type { Logger } from './log';
import type { HostResolver } from './net/network';
import { createAixposeProvider } from './providers/aixpose';
import type { ProviderModule } from './providers/contract';
import { createLocalProvider } from './providers/local';
import { createProductaiProvider } from './providers/productai';
import { createAuraxProvider } from './providers/aurax';
import { createIacreaProvider } from './providers/iacrea';
import { createAivsProvider } from './providers/aivisualstudio';
import type { QueueRunnerOptions } from './queue/runner';
import type { ExtraMethods } from './rpc';
import { FileSecretStore } from './secrets/file-secret-store';
import type { SecretStore } from './secrets/secret-store';

export interface EngineOptions {
  dataDir: string;
  shell: 'electron' | 'headless';
  version: string;
  log: Logger;
  /** Injected so tests can run the engine, the queue included, on their own clock. */
  clock?: Clock;
  /** The generation providers the queue can use (the local one and the cloud APIs, as they land). */
  providers?: readonly ProviderModule[];
  /** Size cap of the thumbnail and preview cache in bytes (default 2 GiB). */
  derivativeCacheBytes?: number;
  /** How long a file's size and mtime must hold before it is taken (default 2 s). */
  stabilityMs?: number;
  /** Where API keys are kept; by default files in the data dir (and the environment). Electron passes safeStorage's. */
  secrets?: SecretStore;
  /** How provider and staging host names become addresses (the system's DNS unless injected). */
  resolveHost?: HostResolver;
  /** Methods outside the contract, for tests only; no shell passes any. */
  testMethods?: ExtraMethods;
  /** Test seams: the queue's (a pass of the scheduler, the crash points) and ingest's (a file hashed). No shell passes any. */
  hooks?: EngineHooks;
  /** The headless server's public address (`--webhook-url`): providers' webhooks are registered at it. */
  webhookUrl?: string;
}

export interface EngineHooks {
  queue?: QueueRunnerOptions['hooks'];
  onHashed?: (file: string) => void;
  /** Right after a webhook delivery was recorded as heard (crash tests). */
  afterWebhookHeard?: () => void;
}

/** The engine's options with every default filled in, and the folders of its data dir named. */
export interface EngineSetup {
  dataDir: string;
  shell: 'electron' | 'headless';
  version: string;
  log: Logger;
  clock: Clock;
  /** Every provider by id: the local one, the cloud ones, and any a test passed (which replace theirs). */
  providers: ReadonlyMap<string, ProviderModule>;
  secrets: SecretStore;
  resolveHost: HostResolver | undefined;
  testMethods: ExtraMethods;
  hooks: EngineHooks;
  webhookUrl: string | undefined;
  derivativeCacheBytes: number | undefined;
  stabilityMs: number | undefined;
  folders: {
    /** Variants' files. */
    media: string;
    /** Scratch space (RAW previews being extracted, downloads). */
    temp: string;
    downloads: string;
    derivatives: string;
    localWork: string;
  };
}

export function resolveEngineOptions(options: EngineOptions): EngineSetup {
  const dataDir = path.resolve(options.dataDir);
  const temp = path.join(dataDir, 'tmp');
  const localWork = path.join(dataDir, 'local-work');
  // The local provider is always there: a new user gets results with no key and no network. The
  // cloud providers are always listed (set a key to use them); tests may replace any of them by id.
  const providers = [
    createLocalProvider({ workDir: localWork }),
    createAixposeProvider(),
    createProductaiProvider(),
    createAuraxProvider(),
    createIacreaProvider(),
    createAivsProvider(),
    ...(options.providers ?? []),
  ];
  return {
    dataDir,
    shell: options.shell,
    version: options.version,
    log: options.log,
    clock: options.clock ?? systemClock,
    providers: new Map(providers.map((provider) => [provider.id, provider])),
    secrets: options.secrets ?? new FileSecretStore(dataDir, options.log),
    resolveHost: options.resolveHost,
    testMethods: options.testMethods ?? {},
    hooks: options.hooks ?? {},
    webhookUrl: options.webhookUrl,
    derivativeCacheBytes: options.derivativeCacheBytes,
    stabilityMs: options.stabilityMs,
    folders: {
      media: path.join(dataDir, 'media'),
      temp,
      downloads: path.join(temp, 'downloads'),
      derivatives: path.join(dataDir, 'cache', 'derivatives'),
      localWork,
    },
  };
}
