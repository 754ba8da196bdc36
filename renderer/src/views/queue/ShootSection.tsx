import { useState } from 'react';
import type { Job, QueueStats } from '../../../../shared/jobs';
import {
  amountsWords,
  type UnitOf,
  countsText,
  type JobAction,
  type NameOf,
  type ProviderGroup,
  type ShootGroup,
} from './queue-model';
import { isProviderPaused, isShootPaused } from './queue-status';
import { JobRow, type JobLooks } from './JobRow';

/** Rows a group shows before "Show all": a shoot of thousands stays quick to render. */
const ROWS_SHOWN = 50;

export type PauseScope = 'global' | 'provider' | 'shoot';

export interface ShootSectionProps {
  group: ShootGroup;
  stats: QueueStats | null;
  busy: ReadonlySet<string>;
  now: number;
  providerName: NameOf;
  unitOf: UnitOf;
  onAct: (job: Job, action: JobAction) => void;
  onPaintMask: (job: Job) => void;
  onApprove: (shootId: string) => void;
  onTogglePause: (scope: PauseScope, id: string | undefined, paused: boolean) => void;
  describe: JobLooks;
}

export function ShootSection(props: ShootSectionProps): React.JSX.Element {
  const { group, stats, busy, onApprove, onTogglePause } = props;
  const titleId = `queue-${group.key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const paused = stats ? isShootPaused(stats, group.shootId) : false;
  const { shootId } = group;
  const estimate = amountsWords(group.awaitingApproval.byProvider, props.unitOf);

  return (
    <section className="queue-shoot" aria-labelledby={titleId} data-shoot-id={shootId ?? ''}>
      <header className="queue-shoot-header">
        <h2 id={titleId}>
          <span className="queue-shoot-name" title={group.shootName}>
            {group.shootName}
          </span>
          {paused ? <span className="queue-badge">Paused</span> : null}
        </h2>
        <span className="muted queue-counts">
          {countsText(group.counts, group.providers.length === 1 ? (group.providers[0]?.providerName ?? null) : null)}
        </span>
        <span className="queue-shoot-actions">
          {shootId !== null && group.awaitingApproval.jobs > 0 ? (
            <button
              type="button"
              className="primary"
              disabled={busy.has(`approve:${shootId}`)}
              onClick={() => onApprove(shootId)}
            >
              {`Approve ${group.awaitingApproval.jobs} ${group.awaitingApproval.jobs === 1 ? 'job' : 'jobs'}${
                estimate ? ` (${estimate})` : ''
              }`}
            </button>
          ) : null}
          {shootId !== null ? (
            <button
              type="button"
              className="queue-button"
              aria-label={`${paused ? 'Resume' : 'Pause'} shoot ${group.shootName}`}
              aria-pressed={paused}
              disabled={!stats || busy.has(`pause:shoot:${shootId}`)}
              onClick={() => onTogglePause('shoot', shootId, paused)}
            >
              {paused ? 'Resume shoot' : 'Pause shoot'}
            </button>
          ) : null}
        </span>
      </header>
      {group.providers.map((providerGroup) => (
        <ProviderJobs key={providerGroup.key} {...props} shootName={group.shootName} providerGroup={providerGroup} />
      ))}
    </section>
  );
}

function ProviderJobs(
  props: ShootSectionProps & { shootName: string; providerGroup: ProviderGroup },
): React.JSX.Element {
  const { providerGroup, shootName, stats, busy, now, providerName, onAct } = props;
  const [showAll, setShowAll] = useState(false);
  const shown = showAll ? providerGroup.jobs : providerGroup.jobs.slice(0, ROWS_SHOWN);
  const hidden = providerGroup.jobs.length - shown.length;
  const paused = stats ? isProviderPaused(stats, providerGroup.provider) : false;
  const offline = stats ? stats.unreachable.includes(providerGroup.provider) : false;

  return (
    <div className="queue-provider-group" data-provider={providerGroup.provider}>
      <h3 className="queue-provider-title">
        {providerGroup.providerName}
        {paused ? <span className="queue-badge">Paused</span> : null}
        {offline ? <span className="queue-badge queue-badge-warn">Unreachable</span> : null}
        <span className="muted queue-counts">{countsText(providerGroup.counts, providerGroup.providerName)}</span>
      </h3>
      <ul className="queue-jobs" aria-label={`Jobs for ${shootName} · ${providerGroup.providerName}`}>
        {shown.map((job) => (
          <JobRow
            key={job.id}
            job={job}
            now={now}
            busy={busy.has(`job:${job.id}`) || (job.shootId !== null && busy.has(`approve:${job.shootId}`))}
            providerName={providerName}
            unitOf={props.unitOf}
            onAct={onAct}
            onPaintMask={props.onPaintMask}
            describe={props.describe}
          />
        ))}
      </ul>
      {hidden > 0 ? (
        <button type="button" className="link-button queue-more" onClick={() => setShowAll(true)}>
          {`Show ${hidden} more`}
        </button>
      ) : null}
    </div>
  );
}
