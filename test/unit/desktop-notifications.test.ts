import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_WAIT_MS, nativeNotices, Notifier, QUIET_MS, type Notice } from '../../main/app/notifications';
import { DEFAULT_PREFERENCES, type Preferences } from '../../main/app/preferences';
import { silentLogger } from '../../main/engine/log';
import type { DesktopView } from '../../shared/desktop';
import type { ShootListItem } from '../../shared/domain';
import type { Job, QueueStats } from '../../shared/jobs';
import { FakeEngine, FakeNotification } from '../support/fake-electron';
import { ManualClock } from '../support/manual-clock';
import { jobFixture, queueStatsFixture } from '../support/queue-fixtures';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function job(id: string, state: Job['state'], extra: Partial<Job> = {}): Job {
  return jobFixture({ id, state, shootId: 'shoot-1', recipeId: 'recipe-1', provider: 'local', attempts: 1, ...extra });
}

function shoot(id: string, name: string, jobsPending: number): ShootListItem {
  return {
    id,
    name,
    createdAt: '2026-12-07T08:00:00Z',
    hotFolderId: null,
    folder: null,
    garmentType: null,
    photos: 200,
    problems: 0,
    withVariants: 0,
    approved: 0,
    jobsPending,
  };
}

function stats(providerReasons: Record<string, string> = {}): QueueStats {
  return queueStatsFixture({
    paused: { global: false, providers: Object.keys(providerReasons), shoots: [], providerReasons },
  });
}

function setup(notifications: Partial<Preferences['notifications']> = {}) {
  const engine = new FakeEngine();
  const clock = new ManualClock(0);
  const shown: Notice[] = [];
  const preferences = {
    get: <K extends keyof Preferences>(key: K): Preferences[K] =>
      (key === 'notifications'
        ? { ...DEFAULT_PREFERENCES.notifications, ...notifications }
        : DEFAULT_PREFERENCES[key]) as Preferences[K],
  };
  let pending: Record<string, number> = { 'shoot-1': 0, 'shoot-2': 0 };
  engine.answer('shoots.list', () => [
    shoot('shoot-1', 'Harbour villa', pending['shoot-1'] ?? 0),
    shoot('shoot-2', 'Loft', pending['shoot-2'] ?? 0),
  ]);
  const notifier = new Notifier({
    engine,
    log: silentLogger,
    preferences,
    show: (notice) => shown.push(notice),
    setTimer: clock.setTimer,
  });
  const stop = notifier.start();
  const quiet = async (): Promise<void> => {
    clock.advance(QUIET_MS);
    await settle();
  };
  return { engine, clock, shown, stop, quiet, setPending: (next: Record<string, number>) => (pending = next) };
}

describe('desktop notifications, batched', () => {
  it('200 finished jobs of a shoot make one notification, once the shoot has nothing left', async () => {
    const { engine, shown, quiet, clock, setPending } = setup();
    setPending({ 'shoot-1': 200 });
    for (let index = 0; index < 200; index += 1) {
      engine.emit('job.updated', job(`job-${index}`, index < 197 ? 'done' : 'failed'));
      // They arrive over time, never quiet for long enough to flush.
      clock.advance(QUIET_MS / 4);
      if (index === 99) setPending({ 'shoot-1': 100 });
    }
    expect(shown).toEqual([]);
    setPending({ 'shoot-1': 0 });
    await quiet();
    expect(shown).toEqual([
      {
        kind: 'finished',
        title: '“Harbour villa” is done',
        body: '197 jobs done, 3 failed.',
        target: { section: 'shoots', shootId: 'shoot-1' },
      },
    ]);
    await quiet();
    expect(shown).toHaveLength(1);
  });

  it('a shoot still working is not said yet; several shoots ending together make one notification', async () => {
    const { engine, shown, quiet, setPending } = setup();
    setPending({ 'shoot-1': 5, 'shoot-2': 0 });
    engine.emit('job.updated', job('a', 'done'));
    engine.emit('job.updated', job('b', 'done', { shootId: 'shoot-2' }));
    await quiet();
    expect(shown.map((notice) => notice.title)).toEqual(['“Loft” is done']);
    setPending({ 'shoot-1': 0, 'shoot-2': 0 });
    engine.emit('job.updated', job('c', 'done'));
    engine.emit('job.updated', job('d', 'done', { shootId: 'shoot-2' }));
    await quiet();
    expect(shown.at(-1)).toMatchObject({
      title: '2 shoots are done',
      body: '3 jobs done. “Harbour villa”, “Loft”.',
      target: { section: 'shoots', shootId: null },
    });
    expect(shown).toHaveLength(2);
  });

  it('jobs that need the user are said once, with why, and not again while they wait', async () => {
    const { engine, shown, quiet } = setup();
    for (let index = 0; index < 8; index += 1) engine.emit('job.updated', job(`r${index}`, 'needs_review'));
    for (let index = 0; index < 4; index += 1) {
      engine.emit('job.updated', job(`m${index}`, 'awaiting_input', { waitingFor: 'mask' }));
    }
    engine.emit('job.updated', job('m0', 'awaiting_input', { waitingFor: 'mask' }));
    await quiet();
    expect(shown).toEqual([
      {
        kind: 'attention',
        title: '12 jobs need you',
        body: '8 to review, 4 need a mask.',
        target: { section: 'queue', shootId: null },
      },
    ]);
    engine.emit('job.updated', job('m1', 'awaiting_input', { waitingFor: 'mask' }));
    await quiet();
    expect(shown).toHaveLength(1);
  });

  it('a provider paused and an export ended are said as they happen', async () => {
    const { engine, shown } = setup();
    engine.emit('queue.stats', stats({ AIXpose: 'Out of credits: buy credits, then resume.' }));
    engine.emit('queue.stats', stats({ AIXpose: 'Out of credits: buy credits, then resume.' }));
    engine.emit('export.progress', {
      runId: 'r1',
      state: 'running',
      total: 10,
      done: 3,
      skipped: 0,
      failed: 0,
      current: null,
    });
    engine.emit('export.progress', {
      runId: 'r1',
      state: 'done',
      total: 10,
      done: 9,
      skipped: 0,
      failed: 1,
      current: null,
    });
    await settle();
    expect(shown.map(({ kind, title, target }) => ({ kind, title, target }))).toEqual([
      { kind: 'providers', title: 'AIXpose is paused', target: { section: 'settings', shootId: null } },
      { kind: 'exports', title: 'Export finished with problems', target: { section: 'export', shootId: null } },
    ]);
    expect(shown[1]?.body).toBe('9 files written, 1 failed.');
  });

  it('a queue that never pauses still speaks within the longest wait', async () => {
    const { engine, shown, clock, setPending } = setup();
    setPending({ 'shoot-1': 50 });
    engine.emit('job.updated', job('needs-mask', 'awaiting_input', { waitingFor: 'mask' }));
    for (let index = 0; index < 40; index += 1) {
      engine.emit('job.updated', job(`busy-${index}`, 'done'));
      clock.advance(1_000);
      await settle();
    }
    expect(shown.map((notice) => notice.title)).toEqual(['1 job needs you']);
    expect(MAX_WAIT_MS).toBeLessThan(40_000);
  });

  it('a shoot whose last job is canceled is said then; a job retried after failing counts once', async () => {
    const { engine, shown, quiet, setPending } = setup();
    setPending({ 'shoot-1': 1 });
    engine.emit('job.updated', job('a', 'failed'));
    engine.emit('job.updated', job('a', 'queued'));
    engine.emit('job.updated', job('a', 'done'));
    engine.emit('job.updated', job('b', 'done'));
    await quiet();
    expect(shown).toEqual([]);
    setPending({ 'shoot-1': 0 });
    engine.emit('job.updated', job('c', 'canceled'));
    await quiet();
    expect(shown.map((notice) => notice.body)).toEqual(['2 jobs done.']);
  });

  it('each kind has its own off switch', async () => {
    const { engine, shown, quiet } = setup({ finished: false, exports: false });
    engine.emit('job.updated', job('a', 'done'));
    engine.emit('job.updated', job('b', 'needs_review'));
    engine.emit('export.progress', {
      runId: 'r',
      state: 'done',
      total: 1,
      done: 1,
      skipped: 0,
      failed: 0,
      current: null,
    });
    await quiet();
    expect(shown.map((notice) => notice.kind)).toEqual(['attention']);
  });
});

describe('native notifications', () => {
  beforeEach(() => {
    FakeNotification.made = [];
    FakeNotification.supported = true;
  });

  it('a click opens the notice’s view', () => {
    const opened: DesktopView[] = [];
    const show = nativeNotices(FakeNotification, (view) => opened.push(view));
    show({
      kind: 'attention',
      title: '2 jobs need you',
      body: '2 to review.',
      target: { section: 'queue', shootId: null },
    });
    const [made] = FakeNotification.made;
    expect(made?.shown).toBe(true);
    expect(made?.options).toEqual({ title: '2 jobs need you', body: '2 to review.' });
    made?.click();
    expect(opened).toEqual([{ section: 'queue', shootId: null }]);
  });

  it('says nothing where the OS has no notifications', () => {
    FakeNotification.supported = false;
    nativeNotices(
      FakeNotification,
      () => undefined,
    )({
      kind: 'exports',
      title: 'Export finished',
      body: '1 file written.',
      target: { section: 'export', shootId: null },
    });
    expect(FakeNotification.made).toEqual([]);
  });
});
