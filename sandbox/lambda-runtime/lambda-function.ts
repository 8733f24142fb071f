// One Lambda function: its configuration, its execution environments and its invoke.
//
// invoke(): refuse a request over 6 MB -> take a concurrency unit or throttle -> reuse an idle
// (warm) environment, most recently used first, or create one (cold start: INIT imports the
// bundle) -> run the handler with the function timeout -> give the unit back and keep the
// environment warm unless it had to be discarded. Every invoke ends in one InvocationRecord.

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MAX_FUNCTION_TIMEOUT_SECONDS, MAX_MEMORY_MB, MIN_MEMORY_MB } from '../../labs/aws-limits.ts';
import type { ConcurrencyPool } from './concurrency.ts';
import { type EnvironmentLine, type EnvironmentMemory, type EnvironmentResult, ExecutionEnvironment, type InitResult } from './execution-environment.ts';
import type { LogLine } from './function-logs.ts';
import type { InvocationRecord } from './invocation-log.ts';
import { type InvokeError, invalidRequest, requestTooLarge, runtimeClosed, throttled } from './lambda-errors.ts';
import type { MetricDatum } from './metric-store.ts';
import { exceedsPayloadLimit, PAYLOAD_LIMIT_BYTES, serializePayload } from './payload-limit.ts';
import type { SpareRuntimes } from './spare-runtimes.ts';

export interface FunctionConfig {
  /** Function name: 1-64 letters, digits, hyphens, underscores. */
  name: string;
  /** The esbuild bundle (ESM) to load, e.g. .build/handlers/booking-processor/index.mjs. */
  bundleFile: string;
  /** The exported handler function's name. Default "handler" (Lambda setting "index.handler"). */
  handler?: string;
  /** process.env of the handler, on top of the variables Lambda defines. */
  env?: Record<string, string>;
  /** MIN_MEMORY_MB..MAX_MEMORY_MB (labs/aws-limits.ts), default the minimum. Also the worker's heap limit, so a runaway handler runs out of memory. */
  memoryMb?: number;
  /** Default 3 (Lambda's default), at most 900. Fractions are allowed for compressed local runs. */
  timeoutSeconds?: number;
  /** Unset: share the account's unreserved concurrency. */
  reservedConcurrency?: number;
  /** AWS_REGION inside the function. Default "us-east-1". */
  region?: string;
}

export interface InvokeOptions {
  /** Records in the payload (event source mappings pass their batch size), kept in the record. */
  records?: number;
}

/** An invoke's result: its record, the parsed response when it succeeded, its log lines and metrics. */
export interface InvokeResult extends InvocationRecord {
  response?: unknown;
  /** Non-EMF lines the invocation wrote (INIT lines included on a cold start). */
  logs: LogLine[];
  /** The EMF metrics it emitted, so a caller needs no store (whose window may have moved on). */
  metrics: MetricDatum[];
}

/** A line once the runtime has stored it: a log line, or the metrics of an EMF document. */
export type IngestedLine = { logLine: LogLine } | { metrics: MetricDatum[] };

/** What the runtime provides to its functions. */
export interface FunctionHost {
  readonly pool: ConcurrencyPool;
  readonly closed: boolean;
  /** Stores a line as a log line, or as metrics when it is EMF. */
  ingestLine(line: LogLine): IngestedLine;
  record(result: InvokeResult): void;
  /** Runtime threads started ahead of cold starts. */
  readonly spares: SpareRuntimes;
}

/** Variables Lambda defines itself; a function may not set them (AWS rejects them too). */
export const RESERVED_ENV_KEYS = [
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
] as const;

/** The runtime modules/function deploys (nodejs22.x). */
const EXECUTION_ENV = 'AWS_Lambda_nodejs22.x';

export class LambdaFunction {
  readonly name: string;
  readonly bundleFile: string;
  readonly handler: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly reservedConcurrency: number | undefined;
  readonly invokedFunctionArn: string;
  readonly logGroupName: string;
  readonly env: Readonly<Record<string, string>>;
  readonly #host: FunctionHost;
  /** Warm, free environments; the most recently used is at the end. */
  readonly #idle: ExecutionEnvironment[] = [];
  readonly #active = new Set<ExecutionEnvironment>();
  /** Discarded environments whose thread is still stopping. */
  readonly #stopping = new Set<Promise<void>>();
  /** Log lines and metrics of invocations still running, by request id. */
  readonly #collecting = new Map<string, { logs: LogLine[]; metrics: MetricDatum[] }>();

  constructor(config: FunctionConfig, host: FunctionHost) {
    this.name = validName(config.name);
    this.bundleFile = resolve(config.bundleFile);
    if (!existsSync(this.bundleFile)) {
      throw new Error(`Bundle ${this.bundleFile} for function ${this.name} does not exist: build it first (handlers/bundle.ts bundleHandler).`);
    }
    this.handler = config.handler ?? 'handler';
    this.memoryMb = config.memoryMb ?? MIN_MEMORY_MB;
    if (!Number.isInteger(this.memoryMb) || this.memoryMb < MIN_MEMORY_MB || this.memoryMb > MAX_MEMORY_MB) {
      throw new Error(`memoryMb ${config.memoryMb} for ${this.name} is not valid: use a whole number from ${MIN_MEMORY_MB} to ${MAX_MEMORY_MB}.`);
    }
    this.timeoutSeconds = config.timeoutSeconds ?? 3;
    if (!Number.isFinite(this.timeoutSeconds) || this.timeoutSeconds <= 0 || this.timeoutSeconds > MAX_FUNCTION_TIMEOUT_SECONDS) {
      throw new Error(
        `timeoutSeconds ${config.timeoutSeconds} for ${this.name} is not valid: use a number above 0 and at most ${MAX_FUNCTION_TIMEOUT_SECONDS}.`,
      );
    }
    const reserved = Object.keys(config.env ?? {}).filter((key) => (RESERVED_ENV_KEYS as readonly string[]).includes(key));
    if (reserved.length > 0) {
      throw new Error(
        `Environment of ${this.name} sets ${reserved.join(', ')}, which Lambda reserves for itself: remove ${reserved.length > 1 ? 'them' : 'it'}` +
          (reserved.some((key) => key.includes('REGION')) ? " (set the function's region option instead)." : '.'),
      );
    }
    this.reservedConcurrency = config.reservedConcurrency;
    this.invokedFunctionArn = `arn:aws:lambda:local:000000000000:function:${this.name}`;
    this.logGroupName = `/aws/lambda/${this.name}`;
    const region = config.region ?? 'us-east-1';
    this.env = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      ...config.env,
      _HANDLER: `index.${this.handler}`,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_EXECUTION_ENV: EXECUTION_ENV,
      AWS_LAMBDA_FUNCTION_NAME: this.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: this.logGroupName,
      LAMBDA_TASK_ROOT: dirname(this.bundleFile),
      // The execution role's credentials on Lambda; local servers (ElasticMQ) accept any.
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SESSION_TOKEN: 'local',
    };
    this.#host = host;
    host.pool.register(this.name, this.reservedConcurrency);
  }

  /** Invocations running now. */
  get concurrency(): number {
    return this.#host.pool.current(this.name);
  }

  /** The most invocations that ever ran at once. */
  get peakConcurrency(): number {
    return this.#host.pool.peak(this.name);
  }

  /** Execution environments alive (busy or idle). */
  get environmentCount(): number {
    return this.#active.size + this.#idle.length;
  }

  get idleEnvironmentCount(): number {
    return this.#idle.length;
  }

  /** Synchronous invoke (RequestResponse). Never rejects: every failure is in the result. */
  async invoke(payload?: unknown, options: InvokeOptions = {}): Promise<InvokeResult> {
    const requestId = randomUUID();
    const start = Date.now();
    const base = { functionName: this.name, requestId, start, ...(options.records !== undefined ? { records: options.records } : {}) };
    const refuse = (outcome: 'error' | 'throttled', error: InvokeError, extra: Partial<InvocationRecord> = {}) =>
      this.#finish({ ...base, ...extra, outcome, error, end: Date.now(), durationMs: 0, coldStart: false, billedDurationMs: 0, logs: [], metrics: [] });

    if (this.#host.closed) return refuse('error', runtimeClosed(this.name));
    const request = serializePayload(payload);
    if (!request.ok) return refuse('error', invalidRequest(request.reason));
    if (exceedsPayloadLimit(request.bytes)) {
      return refuse('error', requestTooLarge(request.bytes, PAYLOAD_LIMIT_BYTES), { requestBytes: request.bytes });
    }
    const throttle = this.#host.pool.acquire(this.name);
    if (throttle) return refuse('throttled', throttled(throttle.throttled, this.name, throttle.limit), { requestBytes: request.bytes });

    const logs: LogLine[] = [];
    const metrics: MetricDatum[] = [];
    this.#collecting.set(requestId, { logs, metrics });
    let environment = this.#idle.pop();
    // An environment can die while idle (a timer throwing after its response): never reuse it.
    while (environment && environment.state !== 'idle') {
      this.#discard(environment);
      environment = this.#idle.pop();
    }
    const coldStart = environment === undefined;
    let init: InitResult | undefined;
    let result: EnvironmentResult;
    try {
      if (!environment) {
        environment = this.#createEnvironment(requestId);
        this.#active.add(environment);
        init = await environment.init();
      } else {
        this.#active.add(environment);
      }
      result =
        init && !init.ok
          ? { outcome: init.outcome, durationMs: 0, error: init.error }
          : await environment.invoke(requestId, request.body, this.timeoutSeconds * 1000);
    } finally {
      this.#collecting.delete(requestId);
      if (environment) {
        this.#active.delete(environment);
        if (environment.state === 'idle' && !this.#host.closed) this.#idle.push(environment);
        else this.#discard(environment);
      }
      this.#host.pool.release(this.name);
    }

    const initDurationMs = init?.initDurationMs;
    const record: InvokeResult = {
      ...base,
      outcome: result.outcome,
      end: Date.now(),
      durationMs: result.durationMs,
      ...(initDurationMs !== undefined ? { initDurationMs } : {}),
      coldStart,
      billedDurationMs: Math.ceil(result.durationMs + (initDurationMs ?? 0)),
      logStreamName: environment.logStreamName,
      requestBytes: request.bytes,
      ...(result.responseBytes !== undefined ? { responseBytes: result.responseBytes } : {}),
      logs,
      metrics,
    };
    if (result.outcome === 'ok') record.response = JSON.parse(result.responseJson);
    else record.error = result.error;
    return this.#finish(record);
  }

  /** The V8 heap of each live environment (busy or idle), after a full GC when `gc` is set; see ExecutionEnvironment.memoryUsage. */
  async memoryUsage(gc = false): Promise<EnvironmentMemory[]> {
    const all = await Promise.all([...this.#active, ...this.#idle].map((environment) => environment.memoryUsage(gc)));
    return all.filter((memory): memory is EnvironmentMemory => memory !== undefined);
  }

  /** Terminates every environment; invocations still running end with an error. */
  async close(): Promise<void> {
    const all = [...this.#idle, ...this.#active];
    this.#idle.length = 0;
    await Promise.all([...all.map((environment) => environment.terminate(runtimeClosed(this.name))), ...this.#stopping]);
  }

  #discard(environment: ExecutionEnvironment): void {
    const stopping = environment.terminate();
    this.#stopping.add(stopping);
    void stopping.then(() => this.#stopping.delete(stopping));
  }

  #createEnvironment(requestId: string): ExecutionEnvironment {
    return new ExecutionEnvironment({
      settings: {
        bundleFile: this.bundleFile,
        handlerName: this.handler,
        functionName: this.name,
        memoryMb: this.memoryMb,
        logGroupName: this.logGroupName,
        invokedFunctionArn: this.invokedFunctionArn,
        responseLimitBytes: PAYLOAD_LIMIT_BYTES,
      },
      env: { ...this.env },
      coldStartRequestId: requestId,
      onLine: (line, environment) => this.#onLine(line, environment),
      thread: this.#host.spares.take(this.memoryMb),
    });
  }

  #onLine(line: EnvironmentLine, environment: ExecutionEnvironment): void {
    const ingested = this.#host.ingestLine({ ...line, functionName: this.name, logStreamName: environment.logStreamName });
    const collecting = this.#collecting.get(line.requestId);
    if (!collecting) return;
    if ('logLine' in ingested) collecting.logs.push(ingested.logLine);
    else collecting.metrics.push(...ingested.metrics);
  }

  #finish(result: InvokeResult): InvokeResult {
    this.#host.record(result);
    return result;
  }
}

function validName(name: string): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new Error(`Function name ${JSON.stringify(name)} is not valid: use 1 to 64 letters, digits, hyphens or underscores.`);
  }
  return name;
}
