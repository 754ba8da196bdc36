/**
 * At most `slots` pieces of work at once; the rest wait in the order they came. Work that fails
 * frees its slot like work that succeeds.
 */
export class Limit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly slots: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    // A freed slot is handed straight to the next in line, so work arriving meanwhile cannot take it too.
    if (this.running >= this.slots) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
