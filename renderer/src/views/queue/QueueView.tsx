import { MaskPurposeSchema } from '../../../../shared/mask';
import { inputAssetId } from '../../../../shared/job-inputs';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Job, QueueStats } from '../../../../shared/jobs';
import type { ProviderView } from '../../../../shared/providers';
import { AppError } from '../../../../shared/errors';
import { useApp, useClient, useMediaUrl } from '../../store/context';
import { usePhotoNames } from './use-photo-names';
import type { JobLooks } from './JobRow';
import { groupJobs, type JobAction, nameLookup, unitLookup } from './queue-model';
import { isProviderPaused, loadAllJobs, mergeJob, mergeJobs, summaryText, waitingCount } from './queue-status';
import './queue.css';
import { DismissibleBanner } from '../../components/DismissibleBanner';
import { type PauseScope, ShootSection } from './ShootSection';

/** How often relative times ("Trying again in 40 s") are refreshed. */
const TICK_MS = 5_000;

function messageOf(error: unknown): string {
  return error instanceof AppError ? error.message : 'Something went wrong. The details are in the log.';
}

/** A job "Clear finished" folded away: done or canceled before that moment. */
function isCleared(job: Job, clearedBefore: number): boolean {
  return (job.state === 'done' || job.state === 'canceled') && (job.finishedAt ?? job.updatedAt) <= clearedBefore;
}

/** What approving a shoot's spend did, for the notice banner. */
function approvedNotice(released: number): string {
  return released === 0
    ? 'Spend approved; no job could start within the approved amount.'
    : `Spend approved; ${released} ${released === 1 ? 'job starts' : 'jobs start'}.`;
}

/**
 * The Queue: every job of every shoot, grouped shoot → provider, with what it is doing in words,
 * what went wrong, and what the user can do about it. Loads its own data and follows engine events.
 */
export function QueueView(): React.JSX.Element {
  const client = useClient();
  const shoots = useApp((state) => state.shoots);
  const online = useApp((state) => state.connection === 'open');

  const [jobs, setJobs] = useState<Job[]>([]);
  const [stats, setStats] = useState<QueueStats | null>(null);
  const [providers, setProviders] = useState<ProviderView[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [truncated, setTruncated] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [now, setNow] = useState(() => Date.now());

  // Follow events first, then load: an update that lands while the list loads is merged, not lost.
  useEffect(() => {
    const offJob = client.on('job.updated', (job) => setJobs((current) => mergeJob(current, job)));
    const offStats = client.on('queue.stats', setStats);
    return () => {
      offJob();
      offStats();
    };
  }, [client]);

  useEffect(() => {
    if (!online) return;
    let live = true;
    const load = async (): Promise<void> => {
      try {
        const [list, queueStats] = await Promise.all([
          loadAllJobs((cursor, limit) => client.call('jobs.list', { limit, cursor })),
          client.call('queue.stats', {}),
        ]);
        if (!live) return;
        // Events seen meanwhile are at least as new as the page that listed their job.
        setJobs((seen) => mergeJobs(list.jobs, seen));
        setTruncated(list.truncated);
        setStats(queueStats);
        setLoaded(true);
      } catch (caught) {
        if (live) setError(messageOf(caught));
      }
      try {
        const list = await client.call('providers.list', {});
        if (live) setProviders(list);
      } catch {
        // Names fall back to provider ids; nothing else depends on this list.
      }
    };
    void load();
    return () => {
      live = false;
    };
  }, [client, online]);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, []);

  const providerName = useMemo(() => nameLookup(providers), [providers]);
  const unitOf = useMemo(() => unitLookup(providers), [providers]);
  const shootName = useMemo(() => {
    const names = new Map(shoots.map((shoot) => [shoot.id, shoot.name]));
    return (id: string) => names.get(id) ?? `Shoot ${id.slice(0, 8)}`;
  }, [shoots]);
  // "Clear finished" folds away what is done or canceled (failed work stays: it needs a decision).
  const clearedBefore = useApp((state) => state.queueClearedBefore);
  const setClearedBefore = useApp((state) => state.setQueueClearedBefore);
  const shownJobs = useMemo(() => jobs.filter((job) => !isCleared(job, clearedBefore)), [jobs, clearedBefore]);
  const cleared = jobs.length - shownJobs.length;
  const finished = shownJobs.filter((job) => job.state === 'done' || job.state === 'canceled').length;
  const groups = useMemo(() => groupJobs(shownJobs, shootName, providerName), [shownJobs, shootName, providerName]);
  const mediaUrl = useMediaUrl();
  const photoName = usePhotoNames(jobs);
  const looks: JobLooks = {
    photoName,
    thumbnailUrl: (job) => {
      const assetId = inputAssetId(job.inputs);
      return assetId ? mediaUrl('thumbnail', assetId) : null;
    },
    operationLabel: (provider, operation) =>
      providers.find((known) => known.id === provider)?.operations.find((known) => known.name === operation)?.label ??
      operation,
    isLocal: (provider) => providers.find((known) => known.id === provider)?.local ?? false,
  };

  /** Runs one call for a button, keeping the button disabled until it answers. */
  const run = useCallback(async (key: string, work: () => Promise<void>): Promise<void> => {
    setBusy((current) => new Set(current).add(key));
    setError(null);
    setNotice(null);
    try {
      await work();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy((current) => {
        const next = new Set(current);
        next.delete(key);
        return next;
      });
    }
  }, []);

  const paintMask = useApp((state) => state.paintMask);
  const setSection = useApp((state) => state.setSection);
  /** "Paint the mask": the photo the job works on, in the mask editor for the purpose its operation needs. */
  const paintMaskFor = useCallback(
    (job: Job) => {
      const operation = providers
        .find((provider) => provider.id === job.provider)
        ?.operations.find((candidate) => candidate.name === job.operation);
      const purpose = MaskPurposeSchema.safeParse(operation?.inputs.mask?.purpose);
      const assetId = inputAssetId(job.inputs);
      if (!purpose.success || !assetId) {
        setError('Shootline cannot tell which photo or kind of mask this job waits for.');
        return;
      }
      paintMask(assetId, purpose.data, job.shootId ?? undefined);
      setSection('shoots');
    },
    [paintMask, providers, setSection],
  );

  const act = useCallback(
    (job: Job, action: JobAction): void => {
      void run(`job:${job.id}`, async () => {
        switch (action) {
          case 'approve': {
            // This job's spend alone: the shoot's budget at its provider grows by its estimate.
            const updated = await client.call('jobs.provideInput', { id: job.id, input: { role: 'approval' } });
            setJobs((current) => mergeJob(current, updated));
            return;
          }
          case 'resend':
          case 'discard': {
            const updated = await client.call('jobs.resolveReview', { id: job.id, action });
            setJobs((current) => mergeJob(current, updated));
            return;
          }
          case 'retry':
          case 'moveToTop':
          case 'cancel': {
            const method = action === 'retry' ? 'jobs.retry' : action === 'cancel' ? 'jobs.cancel' : 'jobs.moveToTop';
            const updated = await client.call(method, { id: job.id });
            setJobs((current) => mergeJob(current, updated));
            return;
          }
          default: {
            const never: never = action;
            throw new Error(`Unknown action ${String(never)}`);
          }
        }
      });
    },
    [client, run],
  );

  const approveShoot = useCallback(
    (shootId: string): void => {
      void run(`approve:${shootId}`, async () => {
        const { released } = await client.call('jobs.approveBudget', { shootId });
        setNotice(approvedNotice(released));
      });
    },
    [client, run],
  );

  const togglePause = useCallback(
    (scope: PauseScope, id: string | undefined, paused: boolean): void => {
      void run(`pause:${scope}:${id ?? ''}`, async () => {
        const target = scope === 'global' ? { scope } : { scope, id };
        setStats(await client.call(paused ? 'queue.resume' : 'queue.pause', target));
      });
    },
    [client, run],
  );

  const providerIds = useMemo(() => {
    const ids = new Set<string>(providers.map((provider) => provider.id));
    if (stats) {
      for (const id of Object.keys(stats.byProvider)) ids.add(id);
      for (const id of stats.paused.providers) ids.add(id);
      for (const id of Object.keys(stats.paused.providerReasons)) ids.add(id);
    }
    return [...ids].sort((a, b) => providerName(a).localeCompare(providerName(b)));
  }, [providers, stats, providerName]);

  const globalPaused = stats?.paused.global ?? false;

  return (
    <section className="view queue-view" aria-labelledby="queue-title">
      <header className="view-header">
        <div>
          <h1 id="queue-title">Queue</h1>
          {stats ? (
            <p className="queue-summary" data-testid="queue-summary">
              {summaryText(stats)}
            </p>
          ) : null}
        </div>
        <span className="toolbar">
          {cleared > 0 ? (
            <button type="button" className="queue-button" onClick={() => setClearedBefore(0)}>
              {`Show ${cleared} cleared`}
            </button>
          ) : null}
          <button
            type="button"
            className="queue-button"
            disabled={finished === 0}
            onClick={() => setClearedBefore(Date.now())}
          >
            {finished > 0 ? `Clear finished (${finished})` : 'Clear finished'}
          </button>
          <button
            type="button"
            className={globalPaused ? 'primary' : 'queue-button'}
            disabled={!stats || busy.has('pause:global:')}
            onClick={() => togglePause('global', undefined, globalPaused)}
          >
            {globalPaused ? 'Resume all' : 'Pause all'}
          </button>
        </span>
      </header>

      {error ? (
        <DismissibleBanner kind="error" onDismiss={() => setError(null)}>
          {error}
        </DismissibleBanner>
      ) : null}
      {notice ? (
        <DismissibleBanner kind="notice" onDismiss={() => setNotice(null)}>
          {notice}
        </DismissibleBanner>
      ) : null}

      {stats && providerIds.length > 0 ? (
        <ul className="queue-providers" aria-label="Providers">
          {providerIds.map((id) => {
            const paused = isProviderPaused(stats, id);
            const offline = stats.unreachable.includes(id);
            const waiting = waitingCount(stats, id);
            return (
              <li key={id} className="queue-provider" data-provider={id}>
                <span className="queue-provider-name">{providerName(id)}</span>
                <span className="muted">
                  {[
                    waiting > 0 ? `${waiting} in progress` : 'idle',
                    paused ? 'paused' : null,
                    offline ? 'unreachable' : null,
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </span>
                <button
                  type="button"
                  className="queue-button"
                  aria-label={`${paused ? 'Resume' : 'Pause'} ${providerName(id)}`}
                  aria-pressed={paused}
                  disabled={busy.has(`pause:provider:${id}`)}
                  onClick={() => togglePause('provider', id, paused)}
                >
                  {paused ? 'Resume' : 'Pause'}
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}

      {!loaded ? (
        <p className="empty">{error ? 'The queue could not be loaded.' : 'Loading the queue…'}</p>
      ) : groups.length === 0 ? (
        <p className="empty">
          No jobs yet. Run a recipe on a shoot’s photos, or give a hot folder a default recipe, and its jobs appear
          here.
        </p>
      ) : (
        <>
          {truncated ? (
            <p className="muted queue-note">Showing the first 5,000 jobs; the counts above cover all of them.</p>
          ) : null}
          {groups.map((group) => (
            <ShootSection
              key={group.key}
              group={group}
              stats={stats}
              busy={busy}
              now={now}
              providerName={providerName}
              unitOf={unitOf}
              onAct={act}
              onPaintMask={paintMaskFor}
              onApprove={approveShoot}
              onTogglePause={togglePause}
              describe={looks}
            />
          ))}
        </>
      )}
    </section>
  );
}
