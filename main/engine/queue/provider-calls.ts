import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Db } from '../db/connection';
import type { JobRecord } from '../db/jobs-repo';
import {
  claimedRemoteIds,
  getStep,
  markStepDone,
  markStepPending,
  markStepSending,
  openStep,
  rivalSends,
  sendingSteps,
} from '../db/job-steps-repo';
import {
  UnreadablePaidAnswer,
  type ProviderContext,
  type ProviderInputs,
  type ProviderModule,
  type ProviderRequest,
  type SubmitContext,
  type SubmitResult,
} from '../providers/contract';
import type { HostResolver } from '../net/network';
import { keyMayTravelTo, type BoundAccount } from './key-binding';
import { getProviderAccount } from '../db/provider-accounts-repo';
import { CALL_TIMEOUTS_MS, httpRequest, ProviderRequestError, type HttpRequest, type HttpResponse } from '../net/http';
import { resolveUrlHost, systemResolver, type ResolvedAddress } from '../net/network';
import type { Clock } from '../clock';
import type { ProviderGate } from './provider-gate';
import { classifyFailure, parseRetryAfter } from './retry-policy';

/**
 * How the runner calls a provider: every request through its gate (rate token, abort signal,
 * learned headers), and every paid submit step recorded so it is sent at most once.
 */
export interface CallDeps {
  db: Db;
  clock: Clock;
  inputs: ProviderInputs;
  /**
   * The provider account's secrets with the origin they were entered for, or null (read at each
   * request, so a new key applies at once).
   */
  account: (provider: ProviderModule) => Promise<BoundAccount | null>;
  /** Where the provider is reached (environment, then the user's setting, then the module's default). */
  baseUrl: (provider: ProviderModule) => string;
  /** The user's staging storage, while one is set up. */
  /** Staging for a job (its uploads are recorded for cleanup), or for a call outside any job. */
  stage: (jobId: string | null) => ProviderContext['stage'];
  /** How provider host names become addresses (the system's DNS unless injected). */
  resolve?: HostResolver;
  /** Where downloads are streamed before the media store takes them (the data dir's tmp/downloads). */
  downloadsDir: string;
  hooks?: { afterStepMarkedSending?: (jobId: string, step: string) => void };
}

/** Resending with the same key is safe, or the provider can tell us whether it has the job. */
export function canResendSafely(provider: ProviderModule): boolean {
  return (
    provider.capabilities.idempotentSubmit || (provider.capabilities.reconcile && provider.reconcile !== undefined)
  );
}

/**
 * The context a provider's calls go through. While a submit step is open (`step` set), the step
 * is written as `sending` right before its request leaves, after any wait for a rate token, so a
 * crash while waiting never makes a request look possibly sent.
 */
export function providerContext(
  deps: CallDeps,
  gate: ProviderGate,
  signal: AbortSignal,
  step: OpenStep | null,
): ProviderContext {
  const baseUrl = deps.baseUrl(gate.provider);
  return {
    signal,
    now: deps.clock.now,
    sleep: (ms) => deps.clock.sleep(ms, signal),
    inputs: deps.inputs,
    baseUrl,
    stage: deps.stage(null),
    tempFile: (extension) => {
      fs.mkdirSync(deps.downloadsDir, { recursive: true, mode: 0o700 });
      return path.join(deps.downloadsDir, `${randomUUID()}${extension}`);
    },
    request: async ({ until, ...request }: ProviderRequest): Promise<HttpResponse> => {
      const auth = await accountValues(deps, gate.provider, baseUrl, request.url);
      request = {
        ...request,
        headers: { ...request.headers, ...auth.headers },
        body: withBodyFields(request.body, auth.body),
      };
      // The provider's limit counts what reaches its API: a staged upload or an output fetched from
      // a CDN spends none of it (AI Visual Studio's sandbox measured the difference).
      const counted = sameOrigin(request.url, baseUrl);
      const granted = counted ? await gate.takeToken(signal) : null;
      if (step && !step.marked) {
        markStepSending(deps.db, step.jobId, step.name, step.key, deps.clock.now());
        step.marked = true;
        deps.hooks?.afterStepMarkedSending?.(step.jobId, step.name);
      }
      try {
        const response = await httpRequest({
          ...request,
          signal: until ? AbortSignal.any([signal, until]) : signal,
          resolve: deps.resolve,
        });
        if (counted) gate.learn(response);
        return response;
      } catch (error) {
        if (counted && error instanceof ProviderRequestError && error.response) {
          gate.learn(error.response);
          holdProviderIfAsked(gate, error.response, deps.clock.now());
        }
        throw auth.withheld ? explainWithheldKey(error, auth.withheld) : error;
      } finally {
        if (granted !== null) gate.settle(granted);
      }
    },
  };
}

/**
 * What the account adds to a request to the provider's own origin: its secrets and plain values,
 * each as its field declares (a header, a bearer token, a field of every JSON body). A request to
 * any other origin (a presigned upload, an output on a CDN) gets nothing: a key is never handed to
 * a third party. Nor does the provider's origin get secrets entered for another one, or sent over
 * plain http to another machine: the request goes without them, and a refusal then says why.
 */
async function accountValues(
  deps: CallDeps,
  provider: ProviderModule,
  baseUrl: string,
  url: string,
): Promise<{ headers: Record<string, string>; body: Record<string, string>; withheld?: string }> {
  const none = { headers: {}, body: {} };
  if (provider.accountFields.length === 0 || !sameOrigin(url, baseUrl)) return none;
  const plain = getProviderAccount(deps.db, provider.id).fields;
  const values: Record<string, string> = { ...plain };
  let withheld: string | undefined;
  if (provider.accountFields.some((field) => field.secret)) {
    const bound = await deps.account(provider);
    if (!bound) {
      // Refused before anything left: the queue pauses the provider until a key is set.
      throw new ProviderRequestError(`No API key is set for ${provider.name}. Add it in Settings.`, {
        kind: 'http',
        status: 401,
        providerCode: 'no_key',
      });
    }
    withheld = secretsWithheld(provider, baseUrl, bound.origin);
    if (!withheld) Object.assign(values, bound.secrets);
  }
  const headers: Record<string, string> = {};
  const body: Record<string, string> = {};
  for (const field of provider.accountFields) {
    const value = Object.hasOwn(values, field.id) ? values[field.id] : undefined;
    if (value === undefined) continue;
    if ('bearer' in field.send) headers.authorization = `Bearer ${value}`;
    else if ('header' in field.send) headers[field.send.header.toLowerCase()] = value;
    else if ('body' in field.send) body[field.send.body] = value;
  }
  return { headers, body, ...(withheld ? { withheld } : {}) };
}

/** Why the account's secrets may not go to the provider's origin now, if they may not. */
function secretsWithheld(provider: ProviderModule, baseUrl: string, boundOrigin: string | null): string | undefined {
  const origin = new URL(baseUrl).origin;
  if (boundOrigin !== origin) {
    const where = boundOrigin ? `was entered for ${boundOrigin}` : 'is not bound to any address yet';
    return `No key was sent to ${origin}: the ${provider.name} key ${where}. Enter the key again in Settings to use it at ${origin}.`;
  }
  if (!keyMayTravelTo(origin)) {
    return `No key was sent to ${origin}: keys go over https, or plain http to this machine only.`;
  }
  return undefined;
}

/** A JSON object body with the account's body fields added (a field the provider's code set wins). */
function withBodyFields(body: HttpRequest['body'], fields: Record<string, string>): HttpRequest['body'] {
  if (Object.keys(fields).length === 0 || typeof body !== 'string') return body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return body;
  return JSON.stringify({ ...fields, ...(parsed as Record<string, unknown>) });
}

/**
 * A 429 or 503 with Retry-After speaks for the whole provider: no request of any job goes there
 * before then. (A 409 "still in progress" with Retry-After concerns its own request only.)
 */
function holdProviderIfAsked(gate: ProviderGate, response: HttpResponse, now: number): void {
  if (response.status !== 429 && response.status !== 503) return;
  const waitMs = parseRetryAfter(response.header('retry-after'), now);
  if (waitMs !== null) gate.pauseUntil(now + waitMs);
}

/** A refusal of a request that went without its key says so, instead of "the key is wrong". */
function explainWithheldKey(error: unknown, withheld: string): unknown {
  if (!(error instanceof ProviderRequestError) || error.failure.kind !== 'http') return error;
  if (error.failure.status !== 401 && error.failure.status !== 403) return error;
  return new ProviderRequestError(withheld, error.failure, error.response);
}

function sameOrigin(url: string, baseUrl: string): boolean {
  try {
    return new URL(url).origin === new URL(baseUrl).origin;
  } catch {
    return false;
  }
}

export async function submitJob(
  deps: CallDeps,
  provider: ProviderModule,
  gate: ProviderGate,
  job: JobRecord,
  signal: AbortSignal,
): Promise<SubmitResult> {
  const { db, clock } = deps;
  const open: { step: OpenStep | null } = { step: null };
  const base = providerContext(deps, gate, signal, null);
  const submitContext: SubmitContext = {
    ...base,
    stage: deps.stage(job.id),
    request: (request) => providerContext(deps, gate, signal, open.step).request(request),
    job: {
      id: job.id,
      shootId: job.shootId,
      operation: job.operation,
      params: job.params,
      inputs: job.inputs,
      idempotencyKey: job.idempotencyKey,
    },
    step: async <T>(name: string, send: (key: string) => Promise<{ remoteId: string | null; result: T }>) => {
      const recorded = getStep(db, job.id, name);
      if (recorded?.state === 'done') return { remoteId: recorded.remoteId, result: recorded.result as T };
      const step: OpenStep = { jobId: job.id, name, key: `${job.idempotencyKey}.${name}`, marked: false };
      openStep(db, job.id, name, step.key, clock.now());
      open.step = step;
      try {
        const answer = await send(step.key);
        markStepDone(db, job.id, name, answer.remoteId, answer.result, clock.now());
        return answer;
      } catch (error) {
        // The step stays `sending` unless its request certainly created nothing: it never left,
        // it was refused before sending, or the provider answered with a status that proves it
        // did not take it. A cancel, a quit, a reset or an unreadable answer keep it `sending`.
        if (step.marked && provablyNotTaken(error)) markStepPending(db, job.id, name, clock.now());
        throw error;
      } finally {
        open.step = null;
      }
    },
  };
  const possiblySent = sendingSteps(db, job.id);
  const [lost] = possiblySent;
  if (lost) {
    if (provider.reconcile) {
      const found = await provider
        .reconcile({
          ...submitContext,
          lost: { step: lost.step, sentAt: lost.updatedAt },
          claimed: (remoteIds) => claimedRemoteIds(db, provider.id, remoteIds),
          // Read when asked, after the listing: a sibling that sent meanwhile is counted.
          rivals: () => rivalSends(db, provider.id, job.id),
        })
        .catch((error: unknown) => {
          throw error instanceof ProviderRequestError ? new LookupFailed(error) : error;
        });
      switch (found.outcome) {
        case 'adopt':
          // The lost answer's work, found: the step is done as if its answer had arrived.
          markStepDone(
            db,
            job.id,
            lost.step,
            found.remote.id,
            { adopted: true, charged: found.charged ?? null },
            clock.now(),
          );
          return { remote: found.remote, ...(found.charged === undefined ? {} : { charged: found.charged }) };
        case 'review':
          throw new UnreadablePaidAnswer(found.reason, found.reason);
        case 'absent':
          for (const step of possiblySent) markStepPending(db, job.id, step.step, clock.now());
          break;
      }
    } else if (!provider.capabilities.idempotentSubmit) {
      // A request that may have arrived is never sent again without the editor's say-so.
      throw new PossiblySent();
    }
  }
  return provider.submit(submitContext);
}

export interface OpenStep {
  jobId: string;
  name: string;
  key: string;
  /** Written as `sending`: its request is about to leave, or left. */
  marked: boolean;
}

/** A submit found a step that may have reached the provider, and the provider cannot be asked or dedupe. */
export class PossiblySent extends Error {}

/**
 * Reading the provider's list of work for a lost submit failed: a read, classified as one (a 502
 * here is "ask again", not "may have been charged again").
 */
export class LookupFailed extends ProviderRequestError {
  constructor(cause: ProviderRequestError) {
    super(cause.message, cause.failure, cause.response);
    this.name = 'LookupFailed';
  }
}

export function isBeforeSend(error: ProviderRequestError): boolean {
  const failure = error.failure;
  return (failure.kind === 'network' || failure.kind === 'timeout') && failure.phase === 'before_send';
}

/** The request certainly created nothing at the provider. */
function provablyNotTaken(error: unknown): boolean {
  if (!(error instanceof ProviderRequestError)) return false;
  if (isBeforeSend(error)) return true;
  if (error.failure.kind !== 'http') return false;
  const kind = classifyFailure(error.failure, { paid: true });
  return kind !== 'ambiguous' && kind !== 'canceled';
}

/**
 * Reachability: can a connection to the base URL's host be opened? Only the connection: no HTTP
 * request is sent, so a probe spends none of the provider's quota (ProductAI counted our probes
 * against its 15 a minute, and refused them without a key) and needs no key.
 */
export async function probeBaseUrl(baseUrl: string, signal: AbortSignal, resolve?: HostResolver): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return false;
  }
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolveUrlHost(url, resolve ?? systemResolver);
  } catch {
    return false;
  }
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const address = addresses[0];
  if (!address || signal.aborted) return false;
  return new Promise<boolean>((done) => {
    const socket = net.connect({ host: address.address, port, family: address.family });
    const finish = (reachable: boolean): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      done(reachable);
    };
    const onAbort = (): void => finish(false);
    const timer = setTimeout(() => finish(false), CALL_TIMEOUTS_MS.probe);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
