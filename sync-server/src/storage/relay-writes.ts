/**
 * The relay's own writes to live docs (a member added to the roster when a device joins) are
 * stored from the doc's update listener, which cannot wait. Their appends are kept here per
 * doc, so whoever reports such a change (the redeem answer) first waits for it to be stored.
 */
export class RelayWrites {
  private readonly pending = new Map<string, Set<Promise<unknown>>>();

  track(name: string, write: Promise<unknown>): void {
    let set = this.pending.get(name);
    if (!set) {
      set = new Set();
      this.pending.set(name, set);
    }
    const s = set;
    s.add(write);
    const done = () => {
      s.delete(write);
      if (s.size === 0 && this.pending.get(name) === s) this.pending.delete(name);
    };
    write.then(done, done);
  }

  /** Settles when every write tracked for `name` so far is stored; throws if one failed. */
  async flushed(name: string): Promise<void> {
    await Promise.all([...(this.pending.get(name) ?? [])]);
  }
}
