// Small helpers the cases share: a lab on its own topic, what the processor reported (read from
// its "batch processed" log lines, as harness/targets/local.ts does), and bounded waiting.

import { readBatchReport } from '../handlers/shared/telemetry.ts';
import { LABS } from '../labs/index.ts';
import { type LabSpec, validateLabSpec } from '../labs/lab-spec.ts';
import { type Sandbox, startSandbox } from '../sandbox/index.ts';
import type { LogLine } from '../sandbox/lambda-runtime/function-logs.ts';
import type { BenchContext } from './run-cases.ts';

/** A copy of lab `number` on its own topic (so runs never share data), with its id suffixed. */
export function benchLab(number: number, topic: string, change: (lab: LabSpec) => void = () => undefined): LabSpec {
  const base = LABS[number - 1];
  if (!base) throw new Error(`There is no lab ${number}; the labs are 1 to ${LABS.length}.`);
  const lab = structuredClone(base) as LabSpec;
  lab.id = `${base.id}-bench`;
  lab.topic = { ...lab.topic, name: topic };
  change(lab);
  return validateLabSpec(lab);
}

export interface ProcessedRecord {
  endToEndMs: number;
  /** When the processor finished the record: intendedAt + endToEndMs. */
  completedAt: number;
}

export interface RunCollector {
  /** seq -> first processing of that seq. */
  readonly records: Map<number, ProcessedRecord>;
  duplicates: number;
  batchSizes: number[];
}

/**
 * Everything the sandbox's processor reports, grouped by runId. `intendedAt(runId, seq)` gives the
 * schedule's intended send time, so completion times are exact per record rather than per batch.
 * Lines the processor wrote before the call are counted too.
 */
export function collectProcessed(sandbox: Sandbox, intendedAt: (runId: string, seq: number) => number | undefined) {
  const runs = new Map<string, RunCollector>();
  const runOf = (runId: string) => {
    let run = runs.get(runId);
    if (!run) runs.set(runId, (run = { records: new Map(), duplicates: 0, batchSizes: [] }));
    return run;
  };
  const processorName = sandbox.processor.name;
  const take = (line: LogLine) => {
    if (line.functionName !== processorName) return;
    const report = readBatchReport(line.json);
    if (!report) return;
    const touched = new Set<RunCollector>();
    for (const p of report.processed) {
      const run = runOf(p.runId);
      touched.add(run);
      if (run.records.has(p.seq)) {
        run.duplicates++;
        continue;
      }
      const intended = intendedAt(p.runId, p.seq);
      run.records.set(p.seq, { endToEndMs: p.endToEndMs, completedAt: intended === undefined ? line.timestamp : intended + p.endToEndMs });
    }
    for (const run of touched) run.batchSizes.push(report.batchSize);
  };
  // A sandbox reading a backlog can finish batches before this is called: those lines are kept.
  for (const line of sandbox.runtime.logs.find({ functionName: processorName })) take(line);
  const unsubscribe = sandbox.runtime.onLog(take);
  return { run: runOf, stop: unsubscribe };
}

/** Starts `lab`'s sandbox on the bench's broker, stopped by the returned stop() or on Ctrl-C. */
export async function startTracked(lab: LabSpec, ctx: BenchContext): Promise<{ sandbox: Sandbox; stop: () => Promise<void> }> {
  const starting = startSandbox(lab, { kafka: ctx.kafka, timeScale: ctx.timeScale });
  // Interrupted while starting: stop it once it is up (the race below has already given up on it).
  starting.then((late) => (ctx.interrupted() ? late.stop() : undefined)).catch(() => undefined);
  const sandbox = await Promise.race([starting, ctx.interruption]);
  return { sandbox, stop: ctx.resources.track(`sandbox ${lab.id}`, () => sandbox.stop()) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every `everyMs` until it holds (true) or `timeoutMs` passes (false). */
export async function waitUntil(condition: () => boolean, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(everyMs, Math.max(1, deadline - Date.now())));
  }
  return true;
}

/** Rejects with a clear message when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
