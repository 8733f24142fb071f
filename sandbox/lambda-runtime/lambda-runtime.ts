// The local Lambda service of one account: its functions, the account-level concurrency pool they
// share, and what CloudWatch would hold for them (logs, EMF metrics, invocation records, the
// concurrency timeline), each for a retention window (RuntimeOptions.retentionMs).

import { LAMBDA_NAMESPACE } from '../../labs/esm-metrics.ts';
import { ConcurrencyPool, type ConcurrencySample } from './concurrency.ts';
import { emfMetrics, isEmfDocument } from './emf.ts';
import { type LogLine, LogStore, parseJsonLine } from './function-logs.ts';
import { InvocationLog, type InvocationRecord } from './invocation-log.ts';
import { type FunctionConfig, type FunctionHost, type IngestedLine, type InvokeResult, LambdaFunction } from './lambda-function.ts';
import type { Unsubscribe } from './listeners.ts';
import { MetricStore } from './metric-store.ts';
import { validRetentionMs } from './retention.ts';
import { SpareRuntimes } from './spare-runtimes.ts';

export interface RuntimeOptions {
  /** The account's concurrency limit, shared by all functions of this runtime. Default 1000. */
  accountConcurrency?: number;
  /**
   * Concurrency that reservations must leave to unreserved functions. AWS keeps 100; the default
   * is min(100, accountConcurrency). Set 0 to reserve freely in a small test account.
   */
  minimumUnreservedConcurrency?: number;
  /**
   * How long metrics, log lines, invocation records and concurrency samples are kept, counted from
   * when each arrived. Default 15 minutes; Infinity keeps everything. The listeners (onLog,
   * onInvocation, metrics.onMetric) see everything as it arrives, whatever the window.
   */
  retentionMs?: number;
  /** The clock of the retention window (tests). Default Date.now. */
  now?: () => number;
}

export interface RuntimeMemory {
  /** Environments that answered (INIT finished, thread alive). */
  environments: number;
  /** Whether every one of them ran a full GC first. */
  collected: boolean;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  /** Per function: its live environments and their heaps. */
  byFunction: Record<string, { environments: number; heapUsedBytes: number }>;
}

export class LambdaRuntime {
  readonly metrics: MetricStore;
  readonly logs: LogStore;
  readonly invocations: InvocationLog;
  /** How long the stores keep what they hold, ms. */
  readonly retentionMs: number;
  readonly #pool: ConcurrencyPool;
  readonly #functions = new Map<string, LambdaFunction>();
  readonly #spares = new SpareRuntimes();
  #closed = false;
  #closing?: Promise<void>;

  constructor(options: RuntimeOptions = {}) {
    const retention = { retentionMs: validRetentionMs(options.retentionMs), now: options.now };
    this.retentionMs = retention.retentionMs;
    this.metrics = new MetricStore(retention);
    this.logs = new LogStore(retention);
    this.invocations = new InvocationLog(retention);
    this.#pool = new ConcurrencyPool(options.accountConcurrency ?? 1000, options.minimumUnreservedConcurrency, retention);
  }

  createFunction(config: FunctionConfig): LambdaFunction {
    if (this.#closed) throw new Error('This LambdaRuntime is closed: create a new one.');
    if (this.#functions.has(config.name)) throw new Error(`Function ${config.name} already exists in this runtime: use another name.`);
    const fn = new LambdaFunction(config, this.#host);
    this.#functions.set(fn.name, fn);
    return fn;
  }

  /**
   * Starts runtime threads for the cold starts a load will cause, ahead of it, so that many
   * environments starting at once cost only their INIT (spare-runtimes.ts).
   */
  async prepareColdStarts(plan: Array<{ fn: LambdaFunction; environments: number }>): Promise<void> {
    const byMemory = new Map<number, number>();
    for (const { fn, environments } of plan) byMemory.set(fn.memoryMb, (byMemory.get(fn.memoryMb) ?? 0) + environments);
    await Promise.all([...byMemory].map(([memoryMb, count]) => this.#spares.fill(memoryMb, count)));
  }

  getFunction(name: string): LambdaFunction | undefined {
    return this.#functions.get(name);
  }

  get functions(): LambdaFunction[] {
    return [...this.#functions.values()];
  }

  get accountConcurrency(): number {
    return this.#pool.accountLimit;
  }

  /** Invocations running now, all functions. */
  get concurrency(): number {
    return this.#pool.total;
  }

  get peakConcurrency(): number {
    return this.#pool.peakTotal;
  }

  /** Every concurrency change within the retention window, in order. */
  get concurrencyTimeline(): readonly ConcurrencySample[] {
    return this.#pool.timeline;
  }

  /** Every non-EMF line any function writes, as it is written. */
  onLog(callback: (line: LogLine) => void): Unsubscribe {
    return this.logs.onLine(callback);
  }

  /** Every invocation record, as its invoke completes. */
  onInvocation(callback: (record: InvocationRecord) => void): Unsubscribe {
    return this.invocations.onInvocation(callback);
  }

  /**
   * The V8 heaps of every live execution environment, summed (a diagnostic: each environment is a
   * worker thread, so its heap is in this process's RSS but not in process.memoryUsage().heapUsed).
   * With gc: true each environment runs a full GC first, when the process runs with --expose-gc.
   */
  async memoryUsage(options: { gc?: boolean } = {}): Promise<RuntimeMemory> {
    const perFunction = await Promise.all(this.functions.map(async (fn) => [fn.name, await fn.memoryUsage(options.gc ?? false)] as const));
    const all = perFunction.flatMap(([, memory]) => memory);
    return {
      environments: all.length,
      collected: all.length > 0 && all.every((m) => m.collected),
      heapUsedBytes: all.reduce((sum, m) => sum + m.heapUsedBytes, 0),
      heapTotalBytes: all.reduce((sum, m) => sum + m.heapTotalBytes, 0),
      externalBytes: all.reduce((sum, m) => sum + m.externalBytes, 0),
      byFunction: Object.fromEntries(
        perFunction.map(([name, memory]) => [name, { environments: memory.length, heapUsedBytes: memory.reduce((sum, m) => sum + m.heapUsedBytes, 0) }]),
      ),
    };
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Terminates every execution environment and waits until all threads have stopped. */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= Promise.all([...this.functions.map((fn) => fn.close()), this.#spares.close()]).then(() => undefined);
    return this.#closing;
  }

  readonly #host: FunctionHost = ((runtime: LambdaRuntime): FunctionHost => ({
    get pool() {
      return runtime.#pool;
    },
    get closed() {
      return runtime.#closed;
    },
    ingestLine: (line) => runtime.#ingestLine(line),
    record: (result) => runtime.#record(result),
    spares: runtime.#spares,
  }))(this);

  #ingestLine(line: LogLine): IngestedLine {
    const json = parseJsonLine(line.text);
    if (json && isEmfDocument(json)) {
      const metrics = emfMetrics(json, line.timestamp).map((metric) => ({ ...metric, functionName: line.functionName, requestId: line.requestId }));
      for (const datum of metrics) this.metrics.add(datum);
      return { metrics };
    }
    const logLine: LogLine = json ? { ...line, json } : line;
    this.logs.add(logLine);
    return { logLine };
  }

  #record(result: InvokeResult): void {
    const { logs: _logs, metrics: _metrics, response: _response, ...record } = result;
    this.invocations.add(record);
    const platform = (name: string, unit: string, value: number) =>
      this.metrics.add({
        namespace: LAMBDA_NAMESPACE,
        name,
        unit,
        dimensions: { FunctionName: record.functionName },
        values: [value],
        timestamp: record.end,
        storageResolution: 60,
        functionName: record.functionName,
        requestId: record.requestId,
      });
    if (record.outcome === 'throttled') {
      platform('Throttles', 'Count', 1);
      return;
    }
    if (!record.logStreamName) return; // refused before anything ran
    platform('Invocations', 'Count', 1);
    platform('Errors', 'Count', record.outcome === 'ok' ? 0 : 1);
    platform('Duration', 'Milliseconds', record.durationMs);
  }
}
