import { afterEach } from 'vitest';
import { Engine } from '../../main/engine/engine';
import { createLogger, type Logger } from '../../main/engine/log';
import type { ProviderModule } from '../../main/engine/providers/contract';
import { systemClock } from '../../main/engine/queue/clock';
import { tempDir } from './temp';

const running: Engine[] = [];

export interface TestEngine {
  engine: Engine;
  dataDir: string;
  logLines: string[];
}

/** A real engine on a real SQLite file in a temp dir; stopped after the test. */
export function startTestEngine(
  options: { dataDir?: string; now?: () => number; providers?: ProviderModule[] } = {},
): TestEngine {
  const dataDir = options.dataDir ?? tempDir('shootline-engine-');
  const logLines: string[] = [];
  const log: Logger = createLogger({ level: 'debug', write: (line) => logLines.push(line) });
  const clock = options.now ? { ...systemClock, now: options.now } : systemClock;
  const engine = new Engine({
    dataDir,
    shell: 'headless',
    version: '0.0.0-test',
    log,
    clock,
    providers: options.providers,
  });
  engine.start();
  running.push(engine);
  return { engine, dataDir, logLines };
}

afterEach(async () => {
  for (const engine of running.splice(0).reverse()) await engine.stop();
});
