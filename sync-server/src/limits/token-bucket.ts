/** A token bucket: `burst` tokens, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Take `n` tokens; false (and nothing taken) when there are not enough. */
  take(n = 1): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Whether `n` tokens could be taken now. */
  has(n = 1): boolean {
    return this.tokens + ((this.now() - this.last) / 1000) * this.perSecond >= n;
  }

  /** Whether the bucket is full again, so its owner may forget it. */
  get idle(): boolean {
    return this.tokens + ((this.now() - this.last) / 1000) * this.perSecond >= this.burst;
  }
}

/** Buckets by key (device id, IP), swept when full so the map does not grow forever. */
export class BucketMap {
  private readonly buckets = new Map<string, TokenBucket>();
  private sweeps = 0;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  take(key: string, n = 1): boolean {
    let b = this.buckets.get(key);
    if (!b) {
      b = new TokenBucket(this.perSecond, this.burst);
      this.buckets.set(key, b);
    }
    if (++this.sweeps % 1000 === 0) this.sweep();
    return b.take(n);
  }

  /** Whether `key` could take `n` now (nothing is taken). */
  has(key: string, n = 1): boolean {
    return this.buckets.get(key)?.has(n) ?? true;
  }

  private sweep(): void {
    for (const [k, b] of this.buckets) if (b.idle) this.buckets.delete(k);
  }
}
