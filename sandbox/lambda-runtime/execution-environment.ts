// One execution environment: a worker thread that imported the function's bundle once and runs one
// invocation at a time. Module state survives between invocations (warm starts) and is private to
// the environment. The environment is discarded (thread terminated) when the function times out,
// crashes, exits or runs out of memory, as Lambda resets it; a handled error keeps it warm.
// The worker runs worker/environment-worker.mjs without the TypeScript loader (execArgv: []); it
// may have been started ahead of need (spare-runtimes.ts) and becomes this environment at 'start'.

import { randomBytes } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { type InvokeError, runtimeExited, timedOut } from './lambda-errors.ts';
import type { EnvironmentSettings, InvokeMessage, LogMessage, MemoryMessage, StartMessage, WorkerMessage } from './protocol.ts';
import { startRuntimeThread } from './spare-runtimes.ts';

/** Lambda's INIT phase limit for on-demand functions. */
export const INIT_TIMEOUT_MS = 10_000;

export type InitResult = { ok: true; initDurationMs: number } | { ok: false; outcome: 'error' | 'timeout'; initDurationMs?: number; error: InvokeError };

export type EnvironmentResult =
  | { outcome: 'ok'; durationMs: number; responseJson: string; responseBytes: number }
  | { outcome: 'error' | 'timeout'; durationMs: number; error: InvokeError; responseBytes?: number };

/** A log line with its invocation resolved (INIT lines belong to the cold-start invocation). */
export type EnvironmentLine = Omit<LogMessage, 'type' | 'requestId'> & { requestId: string };

export interface EnvironmentOptions {
  settings: Omit<EnvironmentSettings, 'logStreamName'>;
  /** process.env inside the environment (the log stream variable is added here). */
  env: Record<string, string>;
  /** The invocation that creates this environment: INIT lines are attributed to it. */
  coldStartRequestId: string;
  onLine: (line: EnvironmentLine, environment: ExecutionEnvironment) => void;
  /** A bare runtime thread of this memory size to use (spare-runtimes.ts); a new one otherwise. */
  thread?: Worker;
}

type State = 'initializing' | 'idle' | 'busy' | 'gone';

/** An environment's V8 heap (MemoryMessage without the protocol fields). */
export type EnvironmentMemory = Omit<MemoryMessage, 'type' | 'id'>;

const MEMORY_TIMEOUT_MS = 5_000;

interface Pending {
  requestId: string;
  started: number;
  timer: NodeJS.Timeout;
  resolve: (result: EnvironmentResult) => void;
}

/** Lambda's log stream name: date/[version]id. */
function logStreamName(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

export class ExecutionEnvironment {
  readonly logStreamName: string;
  /** Resolves once the thread has stopped. */
  readonly exited: Promise<void>;
  invocationCount = 0;
  #state: State = 'initializing';
  readonly #worker: Worker;
  readonly #options: EnvironmentOptions;
  #init?: { resolve: (result: InitResult) => void; timer: NodeJS.Timeout; started: number };
  #pending?: Pending;
  /** What ended the thread, when it ended on its own. */
  #fatal?: InvokeError;
  readonly #memoryRequests = new Map<number, (memory: EnvironmentMemory | undefined) => void>();
  #nextMemoryRequest = 0;

  constructor(options: EnvironmentOptions) {
    this.#options = options;
    this.logStreamName = logStreamName();
    const settings: EnvironmentSettings = { ...options.settings, logStreamName: this.logStreamName };
    this.#worker = options.thread ?? startRuntimeThread(options.settings.memoryMb);
    const start: StartMessage = { type: 'start', settings, env: { ...options.env, AWS_LAMBDA_LOG_STREAM_NAME: this.logStreamName } };
    this.#worker.postMessage(start);
    this.#worker.on('message', (message: WorkerMessage) => this.#onMessage(message));
    this.#worker.on('error', (error: Error & { code?: string }) => {
      this.#fatal ??=
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? runtimeExited(`${error.message} (memory ${options.settings.memoryMb} MB)`, 'Runtime.OutOfMemory')
          : { errorType: error.name || 'Error', errorMessage: error.message, stackTrace: error.stack?.split('\n') ?? [] };
    });
    this.exited = new Promise((resolve) =>
      this.#worker.once('exit', (code) => {
        this.#onExit(code);
        resolve();
      }),
    );
  }

  get state(): State {
    return this.#state;
  }

  /** Waits for INIT (the bundle import) to finish. Call once, right after construction. */
  init(): Promise<InitResult> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#finishInit({
          ok: false,
          outcome: 'timeout',
          initDurationMs: INIT_TIMEOUT_MS,
          error: timedOut(this.#options.coldStartRequestId, INIT_TIMEOUT_MS / 1000, 'init'),
        });
        void this.terminate();
      }, INIT_TIMEOUT_MS);
      this.#init = { resolve, timer, started: performance.now() };
    });
  }

  /** Runs one invocation; never rejects. A payload given as bytes is transferred to the thread: the caller must not use it afterwards. */
  invoke(requestId: string, payloadJson: string | Uint8Array, timeoutMs: number): Promise<EnvironmentResult> {
    if (this.#state !== 'idle') throw new Error(`Execution environment ${this.logStreamName} is ${this.#state}, not idle.`);
    this.#state = 'busy';
    this.invocationCount += 1;
    const started = performance.now();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const error = timedOut(requestId, timeoutMs / 1000);
        // Lambda logs the timeout in the function's log stream.
        this.#options.onLine({ stream: 'stdout', text: error.errorMessage, timestamp: Date.now(), requestId }, this);
        this.#finishInvoke({ outcome: 'timeout', durationMs: performance.now() - started, error });
        void this.terminate();
      }, timeoutMs);
      this.#pending = { requestId, started, timer, resolve };
      const message: InvokeMessage = { type: 'invoke', requestId, payloadJson, deadline: Date.now() + timeoutMs };
      this.#worker.postMessage(message, typeof payloadJson === 'string' ? [] : [payloadJson.buffer as ArrayBuffer]);
    });
  }

  /**
   * The environment's V8 heap, after a full GC when `gc` is set (and the process runs with
   * --expose-gc); undefined while INIT runs, once the thread is gone, or without an answer in 5 s.
   */
  memoryUsage(gc = false): Promise<EnvironmentMemory | undefined> {
    if (this.#state !== 'idle' && this.#state !== 'busy') return Promise.resolve(undefined);
    const id = this.#nextMemoryRequest++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(undefined), MEMORY_TIMEOUT_MS);
      const done = (memory: EnvironmentMemory | undefined) => {
        clearTimeout(timer);
        this.#memoryRequests.delete(id);
        resolve(memory);
      };
      this.#memoryRequests.set(id, done);
      this.#worker.postMessage({ type: 'memory', id, gc });
    });
  }

  /** Stops the thread; an invocation still running ends with `reason`. */
  async terminate(reason?: InvokeError): Promise<void> {
    if (reason) this.#fatal ??= reason;
    this.#state = 'gone';
    this.#failRunning();
    await this.#worker.terminate();
    await this.exited;
  }

  #onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'log': {
        const { type: _type, requestId, ...line } = message;
        this.#options.onLine({ ...line, requestId: requestId ?? this.#options.coldStartRequestId }, this);
        return;
      }
      case 'ready':
        this.#state = 'idle';
        this.#finishInit({ ok: true, initDurationMs: message.initDurationMs });
        return;
      case 'init-error':
        this.#finishInit({ ok: false, outcome: 'error', initDurationMs: message.initDurationMs, error: message.error });
        void this.terminate();
        return;
      case 'result': {
        if (this.#pending?.requestId !== message.requestId) return;
        this.#state = 'idle';
        const { durationMs, responseBytes } = message;
        this.#finishInvoke(
          'error' in message
            ? { outcome: 'error', durationMs, error: message.error, ...(responseBytes !== undefined ? { responseBytes } : {}) }
            : { outcome: 'ok', durationMs, responseJson: message.responseJson, responseBytes: message.responseBytes },
        );
        return;
      }
      case 'memory': {
        const { type: _type, id, ...memory } = message;
        this.#memoryRequests.get(id)?.(memory);
        return;
      }
      case 'crash':
        this.#fatal ??= message.error;
        this.#state = 'gone';
        this.#failRunning();
        return;
    }
  }

  #onExit(code: number): void {
    this.#state = 'gone';
    for (const done of [...this.#memoryRequests.values()]) done(undefined);
    this.#fatal ??= runtimeExited(`exit status ${code}`);
    this.#failRunning();
  }

  /** Ends INIT or the running invocation with the fatal error (the thread is gone or going). */
  #failRunning(): void {
    const error = this.#fatal ?? runtimeExited('the execution environment was stopped');
    if (this.#init) {
      this.#finishInit({ ok: false, outcome: 'error', initDurationMs: performance.now() - this.#init.started, error });
    }
    if (this.#pending) {
      this.#finishInvoke({ outcome: 'error', durationMs: performance.now() - this.#pending.started, error });
    }
  }

  #finishInit(result: InitResult): void {
    const init = this.#init;
    if (!init) return;
    this.#init = undefined;
    clearTimeout(init.timer);
    if (!result.ok) this.#state = 'gone';
    init.resolve(result);
  }

  #finishInvoke(result: EnvironmentResult): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = undefined;
    clearTimeout(pending.timer);
    if (result.outcome === 'timeout') this.#state = 'gone';
    pending.resolve(result);
  }
}
