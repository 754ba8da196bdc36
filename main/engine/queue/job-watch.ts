import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { PollResult, ProviderContext, ProviderModule, RemoteJob } from '../providers/contract';

/** Times a status stream is opened for one run of a job before the queue only polls. */
const MAX_STREAM_OPENINGS = 3;
const FIRST_REOPEN_DELAY_MS = 500;

/** The queue stopped a stream because the status it waited for arrived (not a failure). */
class StreamSettled extends Error {}

/**
 * Follows a remote job by its provider's status stream until it is done or failed. A stream that
 * ends, drops or goes silent is followed by one poll (so a job that finished in the gap is not
 * missed), then opened again after a growing pause; after three openings the caller polls. Null
 * when there is no stream, or it gave up: the caller's polling takes over.
 */
export async function watchUntilSettled(
  deps: { clock: Clock; log: Logger },
  provider: ProviderModule,
  context: ProviderContext,
  remote: RemoteJob,
): Promise<PollResult | null> {
  const { watch } = provider;
  if (!watch || !provider.capabilities.stream) return null;
  for (let opening = 0; opening < MAX_STREAM_OPENINGS; opening += 1) {
    if (opening > 0) await deps.clock.sleep(FIRST_REOPEN_DELAY_MS * 2 ** (opening - 1), context.signal);
    const settled = await openOnce(watch, context, remote, deps.log, provider.id);
    if (settled) return settled;
    const polled = await provider.poll(context, remote).catch((error: unknown) => {
      if (context.signal.aborted) throw error;
      return null; // the poll loop knows how to wait for a provider that does not answer
    });
    if (!polled) return null;
    if (polled.status !== 'pending') return polled;
  }
  deps.log.info('queue.stream_given_up', { provider: provider.id, remoteId: remote.id });
  return null;
}

/** One opening of the stream: the final status it brought, or null when it ended or broke first. */
async function openOnce(
  watch: NonNullable<ProviderModule['watch']>,
  context: ProviderContext,
  remote: RemoteJob,
  log: Logger,
  provider: string,
): Promise<PollResult | null> {
  const stop = new AbortController();
  const onJobAborted = (): void => stop.abort(context.signal.reason);
  context.signal.addEventListener('abort', onJobAborted, { once: true });
  let final: PollResult | null = null;
  const streaming: ProviderContext = {
    ...context,
    signal: AbortSignal.any([context.signal, stop.signal]),
    request: (request) => context.request({ ...request, until: stop.signal }),
  };
  try {
    await watch(streaming, remote, (status) => {
      if (status.status === 'pending' || final) return;
      final = status;
      stop.abort(new StreamSettled('settled'));
    });
  } catch (error) {
    if (context.signal.aborted) throw error;
    if (!final) log.info('queue.stream_broken', { provider, remoteId: remote.id, error });
  } finally {
    context.signal.removeEventListener('abort', onJobAborted);
  }
  return final;
}
