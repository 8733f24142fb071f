// The registry of everything a bench run has started: each case registers a stop function for
// the servers and processes it starts, so its own finally block stops them and bench.ts can stop
// whatever is left on failure or Ctrl-C.
import { withTimeout } from './pipeline.ts';

/** Per resource in Resources.stopAll: a stop that hangs must not keep the broker running. */
const STOP_TIMEOUT_MS = 8_000;

/** Stop functions of everything running, newest last; bench.ts empties it on exit. */
export class Resources {
  readonly #stops = new Map<number, { name: string; stop: () => Promise<unknown> }>();
  #next = 0;

  /** Registers a stop function; the returned function stops it now and unregisters it. */
  track(name: string, stop: () => Promise<unknown>): () => Promise<void> {
    const id = this.#next++;
    this.#stops.set(id, { name, stop });
    return async () => {
      if (!this.#stops.delete(id)) return;
      await stop();
    };
  }

  #stopping: Promise<void> | undefined;

  /**
   * Stops everything still registered, newest first; never throws. A call while another is
   * running waits for that one, so whoever calls last returns only when everything is stopped.
   */
  stopAll(log: (message: string) => void): Promise<void> {
    this.#stopping ??= (async () => {
      while (this.#stops.size > 0) {
        const entries = [...this.#stops.values()].reverse();
        this.#stops.clear();
        for (const { name, stop } of entries) {
          try {
            await withTimeout(stop(), STOP_TIMEOUT_MS, `stopping ${name}`);
          } catch (error) {
            // Moving on: the broker (registered first, stopped last) must still be stopped.
            log(`  ${error instanceof Error ? error.message : String(error)}; moving on`);
          }
        }
      }
    })().finally(() => (this.#stopping = undefined));
    return this.#stopping;
  }
}
