import { createParser } from 'eventsource-parser';
import type { ProviderContext } from '../contract';
import { readEvent, type TaskAnswer } from './answers';

/**
 * Follows a task's Server-Sent Events until AuraX ends the stream. Every event that says a status
 * (a task object under any event name, or a bare status word) is handed on; comments and events we
 * do not know are skipped. A drop or a stall ends here with an error, and the queue polls instead.
 */
export async function watchTask(
  context: ProviderContext,
  taskId: string,
  idleMs: number,
  onTask: (task: TaskAnswer) => Promise<void>,
): Promise<void> {
  const decoder = new TextDecoder();
  // Events are handled one after another; the first failure is kept and thrown when the stream ends.
  let pending: Promise<void> = Promise.resolve();
  const failed: { error?: Error } = {};
  const parser = createParser({
    onEvent: (event) => {
      const task = readEvent(event.data);
      if (!task) return;
      pending = pending
        .then(() => (failed.error ? undefined : onTask(task)))
        .catch((error: unknown) => {
          failed.error ??= error instanceof Error ? error : new Error(String(error));
        });
    },
  });
  await context.request({
    method: 'GET',
    url: `${context.baseUrl}/api/ai/task/${encodeURIComponent(taskId)}/stream`,
    headers: { accept: 'text/event-stream' },
    call: 'poll',
    stream: { idleMs, onChunk: (chunk) => parser.feed(decoder.decode(chunk, { stream: true })) },
  });
  await pending;
  if (failed.error) throw failed.error;
}
