// Offsets are committed only after success (kafka-retry-configurations.html; sandbox/MODEL.md): a partition's commit point is its
// lowest record not yet done. Filtered and dead-lettered records count as done, so a filtered
// record is committed too, but never ahead of an earlier record still being processed.

export class OffsetTracker {
  /** Per partition: offsets seen and not yet done, ascending (records arrive in order). */
  private readonly pending = new Map<string, number[]>();
  private readonly nextToCommit = new Map<string, number>();
  private readonly committed = new Map<string, number>();
  private readonly highestSeen = new Map<string, number>();
  /** The first offset polled per partition: where the mapping started reading it. */
  private readonly firstSeen = new Map<string, number>();

  /** A record was polled: it is pending until done. */
  track(key: string, offset: number): void {
    let list = this.pending.get(key);
    if (!list) this.pending.set(key, (list = []));
    list.push(offset);
    this.highestSeen.set(key, Math.max(offset, this.highestSeen.get(key) ?? -1));
    if (!this.nextToCommit.has(key)) {
      this.nextToCommit.set(key, offset);
      this.firstSeen.set(key, offset);
    }
  }

  done(key: string, offset: number): void {
    const list = this.pending.get(key);
    if (!list) return;
    const i = list.indexOf(offset);
    if (i >= 0) list.splice(i, 1);
    this.nextToCommit.set(key, list.length > 0 ? list[0] : this.highestSeen.get(key)! + 1);
  }

  /** Offsets (the next offset to read) that advanced since the last call to markCommitted. */
  toCommit(): Map<string, number> {
    const result = new Map<string, number>();
    for (const [key, next] of this.nextToCommit) {
      if (next > (this.committed.get(key) ?? -1)) result.set(key, next);
    }
    return result;
  }

  markCommitted(offsets: Map<string, number>): void {
    for (const [key, next] of offsets) {
      this.committed.set(key, Math.max(next, this.committed.get(key) ?? -1));
    }
  }

  committedOffset(key: string): number | undefined {
    return this.committed.get(key);
  }

  /**
   * What OffsetLag counts from: the committed offset, or, before this mapping committed anything
   * in the partition, where it started reading (the group's committed position then). Without
   * this a partition whose first batch never succeeds (a poison record) would show no lag at all.
   */
  lagBase(key: string): number | undefined {
    return this.committed.get(key) ?? this.firstSeen.get(key);
  }

  /** The offsets a DEBUG system log line shows, -1 where nothing happened yet. */
  positions(key: string): { consumedOffset: number; processedOffset: number; committedOffset: number } {
    return {
      consumedOffset: this.highestSeen.get(key) ?? -1,
      processedOffset: (this.nextToCommit.get(key) ?? 0) - 1,
      committedOffset: this.committed.get(key) ?? -1,
    };
  }

  pendingCount(): number {
    let n = 0;
    for (const list of this.pending.values()) n += list.length;
    return n;
  }
}
