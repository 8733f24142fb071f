// Shared by the integration tests: a lab variant per test (its own topic), and what the
// processors reported, collected from their "batch processed" log lines.

import { readBatchReport } from '../../handlers/shared/telemetry.ts';
import { LABS } from '../../labs/index.ts';
import { type LabSpec, validateLabSpec } from '../../labs/lab-spec.ts';
import type { LambdaRuntime } from '../../sandbox/lambda-runtime/index.ts';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export function labVariant(base: number, topic: string, overrides: DeepPartial<LabSpec> = {}): LabSpec {
  const lab = structuredClone(LABS[base - 1]) as LabSpec;
  const merged = merge(lab as unknown as Record<string, unknown>, overrides as Record<string, unknown>) as unknown as LabSpec;
  merged.topic = { ...merged.topic, name: topic };
  merged.id = `${merged.id}-${topic}`.slice(0, 40);
  return validateLabSpec(merged);
}

function merge(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(source)) {
    if (value && typeof value === 'object' && !Array.isArray(value) && target[key] && typeof target[key] === 'object') {
      merge(target[key] as Record<string, unknown>, value as Record<string, unknown>);
    } else {
      target[key] = value;
    }
  }
  return target;
}

export interface Processed {
  /** seq -> times processed */
  counts: Map<number, number>;
  /** seqs in the order the processor finished them */
  order: number[];
  failed: Array<{ seq?: number; reason: string }>;
  batchSizes: number[];
}

export function collectProcessed(runtime: LambdaRuntime, runId: string): Processed {
  const processed: Processed = { counts: new Map(), order: [], failed: [], batchSizes: [] };
  runtime.onLog((line) => {
    const report = readBatchReport(line.json);
    if (!report) return;
    processed.batchSizes.push(report.batchSize);
    for (const p of report.processed) {
      if (p.runId !== runId) continue;
      processed.counts.set(p.seq, (processed.counts.get(p.seq) ?? 0) + 1);
      processed.order.push(p.seq);
    }
    for (const f of report.failed) if (f.runId === runId) processed.failed.push(f);
  });
  return processed;
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
