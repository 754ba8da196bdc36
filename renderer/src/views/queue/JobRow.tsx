import { type Job, NEEDS_REVIEW_MESSAGE } from '../../../../shared/jobs';
import {
  ACTION_LABELS,
  allowedActions,
  attemptWords,
  costWords,
  type UnitOf,
  errorWords,
  inputWords,
  type JobAction,
  NEEDS_REVIEW_EXPLANATION,
  type NameOf,
  retryWords,
  stateWords,
} from './queue-model';

export interface JobRowProps {
  job: Job;
  now: number;
  busy: boolean;
  providerName: NameOf;
  unitOf: UnitOf;
  onAct: (job: Job, action: JobAction) => void;
  /** For a job waiting for a mask: opens the mask editor on its photo (null when it cannot say which). */
  onPaintMask?: ((job: Job) => void) | null;
  /** What the row shows of the job's photo and work, in words and a thumbnail. */
  describe: JobLooks;
}

/** How the queue names a job: its photo's file name and thumbnail, its operation, where it runs. */
export interface JobLooks {
  photoName: (job: Job) => string | null;
  thumbnailUrl: (job: Job) => string | null;
  operationLabel: (provider: string, operation: string) => string;
  isLocal: (provider: string) => boolean;
}

export function JobRow(props: JobRowProps): React.JSX.Element {
  const { job, now, busy, providerName, unitOf, onAct, onPaintMask, describe } = props;
  const photo = describe.photoName(job) ?? inputWords(job);
  const thumbnail = describe.thumbnailUrl(job);
  const attempts = attemptWords(job);
  const retry = retryWords(job, now);
  const review = job.state === 'needs_review';
  // In needs_review the engine's message says what the explanation below says; show it once.
  const problem = errorWords(job);
  const shownProblem = review && problem === NEEDS_REVIEW_MESSAGE ? null : problem;
  const estimate =
    job.state === 'awaiting_input' && job.waitingFor === 'approval'
      ? costWords(job.costEstimate, unitOf(job.provider))
      : null;
  const actions = allowedActions(job);
  const explanationId = `queue-review-${job.id}`;

  return (
    <li className={`queue-job queue-job-${job.state}`} data-job-id={job.id} data-state={job.state}>
      <div className="queue-job-main">
        {thumbnail ? (
          <img className="queue-job-thumb" src={thumbnail} alt="" width={36} height={36} loading="lazy" />
        ) : null}
        <span className="queue-job-photo" title={photo ?? undefined}>
          {photo ?? 'From a prompt'}
        </span>
        <span className="muted queue-job-operation">{describe.operationLabel(job.provider, job.operation)}</span>
        <span className={`queue-state queue-state-${job.state}`}>
          {stateWords(job, providerName, describe.isLocal(job.provider))}
        </span>
        {retry ? <span className="muted">{retry}</span> : null}
        {estimate ? <span className="muted">{`Estimate ${estimate}`}</span> : null}
        {attempts ? <span className="muted queue-job-attempts">{attempts}</span> : null}
        {onPaintMask && job.state === 'awaiting_input' && job.waitingFor === 'mask' ? (
          <button type="button" className="primary" onClick={() => onPaintMask(job)}>
            Paint the mask
          </button>
        ) : null}
        {actions.length > 0 ? (
          <span className="queue-job-actions">
            {actions.map((action) => (
              <button
                key={action}
                type="button"
                className={action === 'resend' || action === 'approve' ? 'primary' : 'queue-button'}
                disabled={busy}
                aria-describedby={review ? explanationId : undefined}
                title={action === 'approve' ? 'Approves the spend for this shoot’s waiting jobs' : undefined}
                onClick={() => onAct(job, action)}
              >
                {ACTION_LABELS[action]}
              </button>
            ))}
          </span>
        ) : null}
      </div>
      {shownProblem ? <p className="queue-job-error">{shownProblem}</p> : null}
      {review ? (
        <p className="queue-job-review" id={explanationId}>
          {NEEDS_REVIEW_EXPLANATION}
        </p>
      ) : null}
    </li>
  );
}
