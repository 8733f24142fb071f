// Runtimes started before they are needed. On AWS a cold start runs on capacity of its own; here
// every execution environment is a worker thread on the learner's cores, and starting one (a V8
// isolate plus Node's bootstrap, about 80 ms of CPU before any function code) forty times at
// once, as lab 3's SQS scaling does, stalls the whole pipeline for seconds. So the runtime can
// start bare threads ahead, per memory size: a cold start then takes one and runs only INIT (the
// function's import), which is what Init Duration measures here as on Lambda, where the runtime
// bootstrap is not part of the figure the sandbox reports (lambda-runtime/MODEL.md).
import { Worker } from 'node:worker_threads';

const WORKER_FILE = new URL('./worker/environment-worker.mjs', import.meta.url);
/** More spares than this per memory size are not kept: a what-if with a huge concurrency still starts. */
export const MAX_SPARE_RUNTIMES = 64;

/** A bare runtime thread: it waits for a StartMessage before importing any function code. */
export function startRuntimeThread(memoryMb: number): Worker {
  const worker = new Worker(WORKER_FILE, {
    env: {},
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: memoryMb },
  });
  // The parent's timers keep the process alive while something runs; an idle thread must not.
  worker.unref();
  return worker;
}

export class SpareRuntimes {
  readonly #spares = new Map<number, Worker[]>();
  #closed = false;

  /** A started thread of this memory size, or a new one when none is spare. */
  take(memoryMb: number): Worker {
    return this.#spares.get(memoryMb)?.shift() ?? startRuntimeThread(memoryMb);
  }

  spareCount(memoryMb: number): number {
    return this.#spares.get(memoryMb)?.length ?? 0;
  }

  /** Starts threads until `count` are spare for this memory size; resolves once they all run. */
  async fill(memoryMb: number, count: number): Promise<void> {
    if (this.#closed) return;
    const spares = this.#spares.get(memoryMb) ?? [];
    this.#spares.set(memoryMb, spares);
    const wanted = Math.min(count, MAX_SPARE_RUNTIMES) - spares.length;
    const started = Array.from({ length: Math.max(0, wanted) }, () => startRuntimeThread(memoryMb));
    spares.push(...started);
    for (const worker of started) {
      worker.once('exit', () => {
        const at = spares.indexOf(worker);
        if (at >= 0) spares.splice(at, 1);
      });
    }
    // Waiting for a thread keeps the process alive; a spare thread afterwards does not.
    await Promise.all(
      started.map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.ref();
            const done = () => {
              worker.unref();
              resolve();
            };
            worker.once('online', done);
            worker.once('error', done);
            worker.once('exit', done);
          }),
      ),
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#spares.values()].flat();
    this.#spares.clear();
    await Promise.all(all.map((worker) => worker.terminate()));
  }
}
