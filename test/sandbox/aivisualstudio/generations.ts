import { randomBytes } from 'node:crypto';
import { CONTENT_TYPES, type OutputFormat } from './catalog';
import { statusWord, type AivsForms, type GenerationFacts } from './forms';
import { renderImage, renderVideo } from './media';
import type {
  AivsCounters,
  FirstFrameFacts,
  GenerationRecord,
  GenerationState,
  GenerationType,
  LedgerEntry,
  ModelSpec,
  OutputRecord,
} from './types';

/**
 * The account's generations and credits (A7, A9, A13, A14): created and charged in one step, moved
 * along by timers whether or not anyone polls, their outputs rendered from creation on so they are
 * ready when the generation ends.
 */

interface Generation {
  id: string;
  type: GenerationType;
  model: string;
  prompt: string;
  aspectRatio: string;
  outputFormat: string;
  duration: number | null;
  firstFrame: FirstFrameFacts | null;
  webhookUrl: string | null;
  createdAt: number;
  completedAt: number | null;
  durationMs: number;
  creditsCharged: number;
  requestSeq: number;
  state: GenerationState;
  failure: 'failed' | 'canceled' | null;
  errorMessage: string | null;
  outputs: OutputRecord[];
}

export interface CreateInput {
  type: GenerationType;
  model: ModelSpec;
  prompt: string;
  aspectRatio: string;
  /** Images only. */
  outputFormat: OutputFormat;
  /** Videos only. */
  duration: number | null;
  firstFrame: { facts: FirstFrameFacts; bytes: Buffer } | null;
  webhookUrl: string | null;
  requestSeq: number;
  /** Decided by a `fail` or `cancel` fault at creation. */
  endAs: 'failed' | 'canceled' | null;
}

export interface RegistryDeps {
  now: () => number;
  origin: () => string;
  durationsMs: Readonly<Record<GenerationType, number>>;
  credits: number;
  ledger: LedgerEntry[];
  counters: AivsCounters;
  /** Called once a generation has ended (completed or failed): webhooks go out from here. */
  ended: (id: string) => void;
}

export class Registry {
  private readonly items = new Map<string, Generation>();
  private readonly files = new Map<string, { bytes: Buffer; contentType: string; generationId: string }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private creation = 0;
  private closed = false;
  private readonly order = new Map<string, number>();
  balance: number;

  constructor(private readonly deps: RegistryDeps) {
    this.balance = deps.credits;
  }

  private newId(prefix: string, taken: (id: string) => boolean): string {
    for (;;) {
      const id = `${prefix}_${randomBytes(8).toString('hex')}`;
      if (!taken(id)) return id;
    }
  }

  /** Creates and charges one generation, and sets it going. */
  create(input: CreateInput): string {
    const { deps } = this;
    const id = this.newId('gen', (candidate) => this.items.has(candidate));
    const credits = input.model.credits_per_generation;
    const createdAt = deps.now();
    const generation: Generation = {
      id,
      type: input.type,
      model: input.model.id,
      prompt: input.prompt,
      aspectRatio: input.aspectRatio,
      outputFormat: input.type === 'image' ? input.outputFormat : 'mp4',
      duration: input.duration,
      firstFrame: input.firstFrame?.facts ?? null,
      webhookUrl: input.webhookUrl,
      createdAt,
      completedAt: null,
      durationMs: deps.durationsMs[input.type],
      creditsCharged: credits,
      requestSeq: input.requestSeq,
      state: 'processing',
      failure: null,
      errorMessage: null,
      outputs: [],
    };
    this.items.set(id, generation);
    this.order.set(id, (this.creation += 1));
    this.balance -= credits;
    deps.ledger.push({
      seq: deps.ledger.length + 1,
      requestSeq: input.requestSeq,
      generationId: id,
      model: input.model.id,
      type: input.type,
      credits,
      balanceAfter: this.balance,
      at: createdAt,
    });
    deps.counters.generationsCreated += 1;

    // A request still in flight when the sandbox closes starts nothing that outlives it.
    if (this.closed) return id;
    const rendering =
      input.endAs === null
        ? input.type === 'image'
          ? renderImage(input.prompt, input.aspectRatio, input.outputFormat)
          : renderVideo(input.prompt, input.aspectRatio, input.duration ?? 5, input.firstFrame?.bytes ?? null)
        : Promise.resolve(null);
    // Kept from rejecting unobserved: its outcome is read when the generation ends.
    const settled = rendering.then(
      (bytes) => ({ bytes, error: null }),
      (error: unknown) => ({ bytes: null, error: String(error) }),
    );
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const run = settled.then(({ bytes, error }) => this.end(generation, bytes, error, input.endAs));
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    }, generation.durationMs);
    this.timers.add(timer);
    return id;
  }

  private end(
    generation: Generation,
    bytes: Buffer | null,
    error: string | null,
    endAs: 'failed' | 'canceled' | null,
  ): void {
    generation.completedAt = this.deps.now();
    if (endAs !== null || bytes === null) {
      generation.state = 'failed';
      generation.failure = endAs ?? 'failed';
      generation.errorMessage =
        endAs === 'canceled'
          ? 'The generation was canceled'
          : error === null
            ? 'The generation failed'
            : `The generation failed: ${error}`;
    } else {
      const outputId = this.newId('out', (candidate) => this.files.has(candidate));
      const ext = generation.outputFormat;
      const contentType = CONTENT_TYPES[ext] ?? 'application/octet-stream';
      const path = `/files/${outputId}.${ext}`;
      this.files.set(`${outputId}.${ext}`, { bytes, contentType, generationId: generation.id });
      generation.outputs = [
        { id: outputId, path, url: `${this.deps.origin()}${path}`, contentType, bytes: bytes.length },
      ];
      generation.state = 'completed';
    }
    this.deps.ended(generation.id);
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  /** Every generation, newest first: created_at, then creation order (A10). */
  ids(): string[] {
    const rank = (id: string): number => this.order.get(id) ?? 0;
    return [...this.items.values()]
      .sort((a, b) => b.createdAt - a.createdAt || rank(b.id) - rank(a.id))
      .map((generation) => generation.id);
  }

  facts(id: string): GenerationFacts | undefined {
    const generation = this.items.get(id);
    if (!generation) return undefined;
    return {
      id: generation.id,
      type: generation.type,
      model: generation.model,
      prompt: generation.prompt,
      state: generation.state,
      createdAt: generation.createdAt,
      completedAt: generation.completedAt,
      durationMs: generation.durationMs,
      creditsCharged: generation.creditsCharged,
      outputs: generation.outputs,
      errorMessage: generation.errorMessage,
    };
  }

  record(id: string, forms: AivsForms): GenerationRecord | undefined {
    const generation = this.items.get(id);
    const facts = this.facts(id);
    if (!generation || !facts) return undefined;
    const { durationMs: _durationMs, errorMessage: _errorMessage, ...rest } = generation;
    return {
      ...rest,
      status: statusWord(facts, forms, this.deps.now()),
      firstFrame: generation.firstFrame ? { ...generation.firstFrame } : null,
      outputs: generation.outputs.map((output) => ({ ...output })),
    };
  }

  /** An output file by `<output id>.<ext>`. */
  file(name: string): { bytes: Buffer; contentType: string; generationId: string } | undefined {
    return this.files.get(name);
  }

  /** Stops every timer and waits for generations already ending. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.running]);
  }
}
