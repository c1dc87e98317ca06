/**
 * Households the member is working on now: edited on this phone within the last `hotMs`.
 * They stay attached to the open socket after a run, so the next save goes up at once on a
 * session already in step. Anything older is detached once in step: the relay holds a loaded
 * doc (~100 KB of its memory) for as long as any socket has it attached, and a phone coming
 * back after a day of offline edits must not keep every household it touched that day
 * loaded there (issue 10: 500 phones × 25 docs).
 */
export class HotDocs {
  /** name → time of the last local edit, oldest first */
  private readonly at = new Map<string, number>();

  constructor(
    private readonly o: { hotMs: number; limit: number; now?: () => number },
  ) {}

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  /** A local edit. Returns the docs pushed out by the limit (the oldest edits). */
  touch(name: string): string[] {
    this.at.delete(name);
    this.at.set(name, this.now());
    const out: string[] = [];
    while (this.at.size > this.o.limit) {
      const oldest = this.at.keys().next().value as string;
      this.at.delete(oldest);
      out.push(oldest);
    }
    return out;
  }

  /** Edited within `hotMs`: keep it attached. */
  has(name: string): boolean {
    const t = this.at.get(name);
    return t !== undefined && this.now() - t < this.o.hotMs;
  }

  delete(name: string): void {
    this.at.delete(name);
  }

  /** Docs whose last edit is `hotMs` old or older (still listed until deleted). */
  cold(): string[] {
    const now = this.now();
    const out: string[] = [];
    for (const [name, t] of this.at) if (now - t >= this.o.hotMs) out.push(name);
    return out;
  }

  /** When the next doc goes cold (ms from now), or undefined when none is hot. */
  nextColdIn(): number | undefined {
    const now = this.now();
    let next: number | undefined;
    for (const t of this.at.values()) {
      const left = Math.max(0, t + this.o.hotMs - now);
      if (next === undefined || left < next) next = left;
    }
    return next;
  }

  get size(): number {
    return this.at.size;
  }
}
