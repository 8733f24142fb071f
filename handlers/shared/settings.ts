// Processor knobs, read from the function's environment (set by modules/function from the LabSpec).
// Read per invocation: cheap, and a misconfiguration fails loudly with the fix in the message.
//
// Chaos knobs (fault injection, in the style of the "failure-lambda" pattern: a rate-based,
// off-by-default switch read by the function itself, so the same bundle runs with and without
// faults). Nothing sets them in a deployed stack; the fault suite (test/faults/) sets them through
// startSandbox's functionEnv. All default to 0 (off):
//   CHAOS_FAILURE_RATE   0..1  each record attempt fails with this probability, with an Error
//                              "injected failure" (the record is reported failed like any other)
//   CHAOS_TIMEOUT_RATE   0..1  each invocation, after its work and its "batch processed" line,
//                              hangs past the function's timeout with this probability (a
//                              downstream call that never answers): the runtime discards the
//                              environment and the event source mapping retries a batch whose
//                              work was done
//   CHAOS_LATENCY_MS     0..900000  extra milliseconds of work per record (a slow downstream),
//   CHAOS_LATENCY_UNTIL  epoch ms   ... until this time (unset: for good), so one deployment is
//                              slow for a phase and then recovers
//   CHAOS_SEED           0..4294967295  makes the first two repeatable (unset: Math.random)
// The first two draw per attempt (shared/chaos.ts), so each attempt is independent.

import { EVENT_RECORD_FORMATS, type EventRecordFormat } from './event-record-format.ts';
import { PROCESSING_MODES, type ProcessingMode, WORK_KINDS, type WorkKind } from './processing.ts';

export interface ProcessorSettings {
  processingMsPerRecord: number;
  mode: ProcessingMode;
  /** cpu: a batch's records take turns on the handler's thread whatever the mode (processing.ts). */
  workKind: WorkKind;
  /** Return partial batch responses instead of failing the whole batch. */
  reportBatchItemFailures: boolean;
  /** SOURCE: the mapping validated the values against the schema registry and hands over Avro bodies to decode. Unset: JSON. */
  eventRecordFormat?: EventRecordFormat;
  chaos: ChaosSettings;
}

/** Fault injection (see the top of this file); all zero unless a test sets them. */
export interface ChaosSettings {
  /** Probability that one record attempt fails with Error("injected failure"). */
  failureRate: number;
  /** Probability that one invocation hangs past the function's timeout after its work. */
  timeoutRate: number;
  /** Extra work per record, in milliseconds, while the clock is before latencyUntil. */
  latencyMs: number;
  /** Epoch milliseconds when the extra latency ends; Infinity: it never does. */
  latencyUntil: number;
  /** Seeds the failure and timeout draws (shared/chaos.ts); undefined: Math.random. */
  seed?: number;
}

type Env = Record<string, string | undefined>;

/**
 * The writer of what readProcessorSettings reads: a processor's environment variables, used by
 * the stacks (labs/stacks.ts, modules/sqs-buffer.ts) and the sandbox (sandbox/index.ts) alike.
 * The chaos knobs are not here: only the fault suite sets them.
 */
export function processorEnvironment(settings: Omit<ProcessorSettings, 'chaos'>): Record<string, string> {
  return {
    PROCESSING_MS_PER_RECORD: String(settings.processingMsPerRecord),
    PROCESSING_MODE: settings.mode,
    WORK_KIND: settings.workKind,
    REPORT_BATCH_ITEM_FAILURES: String(settings.reportBatchItemFailures),
    ...(settings.eventRecordFormat === 'SOURCE' ? { EVENT_RECORD_FORMAT: 'SOURCE' } : {}),
  };
}

export function readProcessorSettings(env: Env, defaults: { reportBatchItemFailures: boolean }): ProcessorSettings {
  return {
    processingMsPerRecord: readNumber(env, 'PROCESSING_MS_PER_RECORD', 0, 0, 900_000),
    mode: readChoice(env, 'PROCESSING_MODE', PROCESSING_MODES, 'sequential'),
    workKind: readChoice(env, 'WORK_KIND', WORK_KINDS, 'io'),
    reportBatchItemFailures: readBoolean(env, 'REPORT_BATCH_ITEM_FAILURES', defaults.reportBatchItemFailures),
    eventRecordFormat: readChoice(env, 'EVENT_RECORD_FORMAT', EVENT_RECORD_FORMATS, 'JSON'),
    chaos: readChaosSettings(env),
  };
}

const CHAOS_VARIABLES: Record<keyof ChaosSettings, string> = {
  failureRate: 'CHAOS_FAILURE_RATE',
  timeoutRate: 'CHAOS_TIMEOUT_RATE',
  latencyMs: 'CHAOS_LATENCY_MS',
  latencyUntil: 'CHAOS_LATENCY_UNTIL',
  seed: 'CHAOS_SEED',
};

/** The writer of what readChaosSettings reads, for the knobs given: a fault test's or a probe's. */
export function chaosEnvironment(chaos: Partial<ChaosSettings>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(chaos)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [CHAOS_VARIABLES[key as keyof ChaosSettings], String(value)]),
  );
}

export function readChaosSettings(env: Env): ChaosSettings {
  const seed = readOptionalNumber(env, CHAOS_VARIABLES.seed, 0, 0xffff_ffff, { whole: true });
  return {
    failureRate: readNumber(env, CHAOS_VARIABLES.failureRate, 0, 0, 1),
    timeoutRate: readNumber(env, CHAOS_VARIABLES.timeoutRate, 0, 0, 1),
    latencyMs: readNumber(env, CHAOS_VARIABLES.latencyMs, 0, 0, 900_000),
    latencyUntil: readNumber(env, CHAOS_VARIABLES.latencyUntil, Infinity, 0, Number.MAX_SAFE_INTEGER),
    ...(seed === undefined ? {} : { seed }),
  };
}

export function readNumber(env: Env, name: string, fallback: number, min: number, max: number): number {
  return readOptionalNumber(env, name, min, max) ?? fallback;
}

/** The variable as a number within [min, max] (a whole one when asked); undefined when unset or blank. */
function readOptionalNumber(env: Env, name: string, min: number, max: number, options: { whole?: boolean } = {}): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  const wrongKind = options.whole ? !Number.isInteger(value) : !Number.isFinite(value);
  if (wrongKind || value < min || value > max) {
    throw new Error(`${name}=${JSON.stringify(raw)} is not valid: use a ${options.whole ? 'whole number' : 'number'} from ${min} to ${max}.`);
  }
  return value;
}

export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const normalized = raw.trim().toLowerCase();
  if (normalized === 'true') return true;
  if (normalized === 'false') return false;
  throw new Error(`${name}=${JSON.stringify(raw)} is not valid: use "true" or "false".`);
}

/** One of `choices`, or `fallback` when unset or blank. */
function readChoice<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim() as T;
  if (!choices.includes(value)) throw new Error(`${name}=${JSON.stringify(raw)} is not valid: use one of ${choices.join(', ')}.`);
  return value;
}
