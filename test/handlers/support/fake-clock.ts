// A virtual clock for the open-loop publisher: time only moves when every pending promise is
// waiting on a timer, and then jumps straight to the earliest one.

import type { Clock } from '../../../handlers/shared/publish.ts';

export class FakeClock implements Clock {
  private time: number;
  private timers: Array<{ at: number; resolve: () => void }> = [];

  constructor(startMs: number) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  sleepUntil(epochMs: number): Promise<void> {
    if (epochMs <= this.time) return Promise.resolve();
    return new Promise((resolve) => this.timers.push({ at: epochMs, resolve }));
  }

  /** Runs virtual time until `promise` settles. */
  async run<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (;;) {
      // Let every promise chain that can make progress do so before time moves.
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) return promise;
      if (this.timers.length === 0) throw new Error('FakeClock: the promise is pending but nothing waits on a timer');
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers.shift() as { at: number; resolve: () => void };
      this.time = Math.max(this.time, next.at);
      next.resolve();
    }
  }
}
