import { createParser } from 'eventsource-parser';
import type { ProviderContext } from '../contract';
import { readEvent, type TaskAnswer } from './answers';

/** A stream that says it broke (`event: error`): the queue polls instead; the task itself may be fine. */
export class StreamBroke extends Error {}

/**
 * Follows a task's Server-Sent Events until AuraX ends the stream. Every event that says a status
 * (a task object under any event name, or a bare status word) is handed on, one after another;
 * comments and events we do not know are skipped. A drop, a stall, an `error` event or a failure
 * handling an event ends the stream here with an error, and the queue polls instead.
 */
export async function watchTask(
  context: ProviderContext,
  taskId: string,
  idleMs: number,
  onTask: (task: TaskAnswer) => Promise<void>,
): Promise<void> {
  const decoder = new TextDecoder();
  const stop = new AbortController();
  const failed: { error?: Error } = {};
  const fail = (error: unknown): void => {
    failed.error ??= error instanceof Error ? error : new Error(String(error));
    stop.abort();
  };
  let pending: Promise<void> = Promise.resolve();
  const parser = createParser({
    onEvent: (event) => {
      if (failed.error) return;
      if (event.event === 'error') {
        fail(new StreamBroke(`AuraX's status stream reported an error: ${event.data.slice(0, 200)}`));
        return;
      }
      const task = readEvent(event.data);
      if (!task) return;
      pending = pending.then(() => (failed.error ? undefined : onTask(task))).catch(fail);
    },
  });
  try {
    await context.request({
      method: 'GET',
      url: `${context.baseUrl}/api/ai/task/${encodeURIComponent(taskId)}/stream`,
      headers: { accept: 'text/event-stream' },
      call: 'poll',
      until: stop.signal,
      stream: { idleMs, onChunk: (chunk) => parser.feed(decoder.decode(chunk, { stream: true })) },
    });
  } catch (error) {
    if (!failed.error) throw error;
  } finally {
    // What the last events started (a status read, a report) ends before the watch does.
    await pending;
  }
  if (failed.error) throw failed.error;
}
