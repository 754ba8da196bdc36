import type { EventName, EventPayload, MethodArgs, MethodName, MethodResult } from '../../shared/api';
import type { Envelope } from '../../shared/errors';
import type { Logger } from '../engine/log';

/**
 * The engine as the desktop shell's parts see it: its events, and the same calls the page makes.
 * Tests pass a fake with scripted answers; main.ts passes the Engine.
 */
export interface DesktopEngine {
  events: { on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void };
  call(method: unknown, args: unknown): Promise<Envelope<unknown>>;
}

/** A typed call whose failure is logged and answered with null: the tray or a badge can wait. */
export async function ask<M extends MethodName>(
  engine: DesktopEngine,
  log: Logger,
  method: M,
  args: MethodArgs<M>,
): Promise<MethodResult<M> | null> {
  const answer = await engine.call(method, args);
  if (answer.ok) return answer.result as MethodResult<M>;
  log.warn('desktop.engine_call_failed', { method, code: answer.error.code });
  return null;
}
