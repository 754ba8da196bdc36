import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { webhookPayload, type IacreaForms } from './forms';
import { renderOutputs, type LoadedImage, type Plane } from './images';
import type {
  GenerationRecord,
  IacreaCounters,
  LedgerEntry,
  ProjectRecord,
  ReceivedImage,
  ReceivedMask,
  RoomType,
  WebhookAttempt,
} from './types';
import { deliver } from './webhooks';

/**
 * The account side of the sandbox: photos per user, the ledger, projects, generations moving with the
 * clock (I10), their outputs (I13), refunds (I14) and webhooks (I16). endpoints.ts decides what to
 * create; this file keeps it and moves it along.
 */

export interface RegistrySettings {
  now: () => number;
  forms: () => IacreaForms;
  origin: () => string;
  counters: IacreaCounters;
  ledger: LedgerEntry[];
  webhooks: WebhookAttempt[];
  photos: number;
  outputs: number;
  startingMs: number;
  totalMs: number;
  webhookAttempts: number;
  webhookRetryDelayMs: number;
  webhookTimeoutMs: number;
  fileUrlTtlMs: number;
  stop: AbortSignal;
}

interface Generation extends GenerationRecord {
  rendering: Promise<Buffer[] | Error>;
  failWith: string | null;
  settling: Promise<void> | null;
  delivery: Promise<void> | null;
  area: Plane;
}

export interface NewGeneration {
  seq: number;
  userId: string;
  /** The project a variation joins; null makes a new one (a generate). */
  project: ProjectRecord | null;
  parentId: string | null;
  roomType: RoomType;
  width: number;
  height: number;
  image: LoadedImage;
  imageUrl: string;
  mask: ReceivedMask;
  webhook: string | null;
  charge: boolean;
  failWith: string | null;
}

const received = (image: LoadedImage, url: string): ReceivedImage => ({
  url,
  format: image.format,
  width: image.width,
  height: image.height,
  sha256: image.sha256,
  bytes: image.bytes.length,
});

export class Registry {
  readonly projects = new Map<string, ProjectRecord>();
  private readonly generations = new Map<string, Generation>();
  private readonly files = new Map<string, { generation: Generation; bytes: Buffer }>();
  private readonly balances = new Map<string, number>();
  private readonly secret = randomBytes(16);
  private ledgerSeq = 0;

  constructor(private readonly settings: RegistrySettings) {}

  balance(userId: string): number {
    return this.balances.get(userId) ?? this.settings.photos;
  }

  setBalance(userId: string, photos: number): void {
    if (!Number.isInteger(photos) || photos < 0)
      throw new Error(`photos must be a whole number of at least 0 (got ${photos})`);
    this.balances.set(userId, photos);
  }

  private book(generation: Generation, photos: 1 | -1, requestSeq: number | null): void {
    const balanceAfter = this.balance(generation.userId) - photos;
    this.balances.set(generation.userId, balanceAfter);
    this.settings.ledger.push({
      seq: ++this.ledgerSeq,
      requestSeq,
      userId: generation.userId,
      generationId: generation.id,
      kind: generation.kind,
      photos,
      balanceAfter,
      at: this.settings.now(),
    });
  }

  create(input: NewGeneration): GenerationRecord {
    const { settings } = this;
    const at = settings.now();
    const project: ProjectRecord = input.project ?? {
      id: randomUUID(),
      userId: input.userId,
      createdAt: at,
      imageUrl: input.imageUrl,
      image: received(input.image, input.imageUrl),
      width: input.width,
      height: input.height,
      generationIds: [],
      variations: 0,
    };
    if (!input.project) {
      this.projects.set(project.id, project);
      settings.counters.projectsCreated += 1;
    }
    const kind = input.project ? 'variation' : 'generate';
    if (kind === 'variation') project.variations += 1;
    const variationIndex = kind === 'variation' ? project.variations : 0;
    const area = input.mask.area;
    const generation: Generation = {
      id: randomUUID(),
      projectId: project.id,
      userId: input.userId,
      kind,
      parentId: input.parentId,
      status: 'STARTING',
      seq: input.seq,
      roomType: input.roomType,
      width: input.width,
      height: input.height,
      variationIndex,
      image: received(input.image, input.imageUrl),
      mask: input.mask,
      webhook: input.webhook,
      createdAt: at,
      processingAt: at + settings.startingMs,
      dueAt: at + settings.totalMs,
      settledAt: null,
      outputs: [],
      photosCharged: input.charge ? 1 : 0,
      refunded: false,
      failure: null,
      polls: 0,
      rendering: renderOutputs({
        photo: input.image.bytes,
        area,
        roomType: input.roomType,
        width: input.width,
        height: input.height,
        count: settings.outputs,
        variationIndex,
      }).catch((problem: unknown) => (problem instanceof Error ? problem : new Error(String(problem)))),
      failWith: input.failWith,
      settling: null,
      delivery: null,
      area,
    };
    project.generationIds.push(generation.id);
    this.generations.set(generation.id, generation);
    settings.counters.generationsCreated += 1;
    if (input.charge) this.book(generation, 1, input.seq);
    return this.snapshot(generation);
  }

  /** The generation's outputs as links, written as the files form says (I17); fresh signatures each time. */
  urls(generation: GenerationRecord): string[] {
    const origin = this.settings.origin();
    const expiring = this.settings.forms().files === 'expiring';
    const expires = Math.floor((this.settings.now() + this.settings.fileUrlTtlMs) / 1000);
    return generation.outputs.map((output) =>
      expiring
        ? `${origin}${output.path}?expires=${expires}&signature=${this.sign(output.id, expires)}`
        : `${origin}${output.path}`,
    );
  }

  sign(outputId: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${outputId}.${expires}`).digest('hex');
  }

  file(outputId: string): { generation: GenerationRecord; bytes: Buffer } | undefined {
    const found = this.files.get(outputId);
    return found ? { generation: this.snapshot(found.generation), bytes: found.bytes } : undefined;
  }

  /** Moves one generation along by the clock; resolves once a due completion has settled. */
  advance(id: string): Promise<void> {
    const generation = this.generations.get(id);
    if (!generation || generation.status === 'SUCCEEDED' || generation.status === 'FAILED') return Promise.resolve();
    const at = this.settings.now();
    if (generation.status === 'STARTING' && at >= generation.processingAt) generation.status = 'PROCESSING';
    if (generation.status === 'PROCESSING' && at >= generation.dueAt) {
      generation.settling ??= this.finish(generation);
      return generation.settling;
    }
    return Promise.resolve();
  }

  private async finish(generation: Generation): Promise<void> {
    const result = await generation.rendering;
    generation.settledAt = this.settings.now();
    if (generation.failWith !== null || result instanceof Error) {
      generation.status = 'FAILED';
      generation.failure = generation.failWith ?? `the outputs could not be rendered: ${(result as Error).message}`;
      if (generation.photosCharged > 0) {
        this.book(generation, -1, null);
        generation.refunded = true;
        this.settings.counters.refunds += 1;
      }
    } else {
      generation.status = 'SUCCEEDED';
      for (const bytes of result) {
        const id = randomUUID();
        generation.outputs.push({
          id,
          path: `/files/${id}.jpg`,
          width: generation.width,
          height: generation.height,
          bytes: bytes.length,
        });
        this.files.set(id, { generation, bytes });
      }
    }
    if (generation.webhook !== null) generation.delivery = this.sendWebhook(generation, generation.webhook);
  }

  private async sendWebhook(generation: Generation, url: string): Promise<void> {
    const { settings } = this;
    const urls = generation.status === 'SUCCEEDED' ? this.urls(generation) : null;
    const delivered = await deliver({
      generationId: generation.id,
      url,
      body: webhookPayload(generation.id, generation.status, urls, settings.forms()),
      attempts: settings.webhookAttempts,
      retryDelayMs: settings.webhookRetryDelayMs,
      timeoutMs: settings.webhookTimeoutMs,
      now: settings.now,
      stop: settings.stop,
      record: (attempt) => {
        settings.webhooks.push(attempt);
        settings.counters.webhookAttempts += 1;
      },
    });
    if (delivered) settings.counters.webhooksDelivered += 1;
    else settings.counters.webhooksAbandoned += 1;
  }

  /** Moves every generation along and waits for due completions and the webhooks they started. */
  async settle(): Promise<void> {
    await Promise.all([...this.generations.keys()].map((id) => this.advance(id)));
    await Promise.all(this.deliveries());
  }

  private deliveries(): Promise<void>[] {
    return [...this.generations.values()].flatMap((generation) => (generation.delivery ? [generation.delivery] : []));
  }

  /** Waits for every render started, so no sharp work outlives the sandbox. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.generations.values()].map((generation) => generation.rendering));
    await Promise.allSettled(this.deliveries());
  }

  get(id: string): GenerationRecord | undefined {
    const generation = this.generations.get(id);
    return generation ? this.snapshot(generation) : undefined;
  }

  /** Counts a poll of it. */
  polled(id: string): void {
    const generation = this.generations.get(id);
    if (generation) generation.polls += 1;
  }

  /** The area a generation painted, for a variation that reuses its mask. */
  areaOf(id: string): Plane | undefined {
    return this.generations.get(id)?.area;
  }

  all(): GenerationRecord[] {
    return [...this.generations.values()].map((generation) => this.snapshot(generation));
  }

  private snapshot(generation: Generation): GenerationRecord {
    const { rendering: _r, failWith: _f, settling: _s, delivery: _d, area: _a, ...record } = generation;
    return { ...record, outputs: record.outputs.map((output) => ({ ...output })) };
  }
}
