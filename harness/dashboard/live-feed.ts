// Every local run writes its live readings, one JSON line a second, to a file in the live-feed
// folder; `workshop dashboard` (in any terminal) reads the newest file. A file rather than a
// socket keeps runs and the dashboard independent: either can start first, and a run needs no
// dashboard at all.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from '../../sandbox/jars.ts';
import type { EsmMetricTotals } from '../esm-metric-totals.ts';
import type { LabRunResult } from '../run-result.ts';
import type { LiveSample } from '../targets/target.ts';
import type { MetricWindow } from './metric-window.ts';

/** A run whose file has not changed for this long, and never ended, is reported as gone. */
export const STALE_AFTER_MS = 15_000;
/** Older feed files beyond this many are removed when a run starts. */
const KEEP_FILES = 20;

/** WORKSHOP_SANDBOX_STATE_DIR keeps a test's feed apart from a participant's. */
export function liveFeedDir(): string {
  return join(process.env.WORKSHOP_SANDBOX_STATE_DIR ?? cacheRoot(), 'live');
}

export interface LiveRun {
  lab: string;
  title: string;
  runId: string;
  startedAt: string;
  /** Load, then the drain budget, in seconds. */
  durationSec: number;
  drainTimeoutSec: number;
  /** The model's expectations, shown beside the measured values. */
  expected: { batchSize: number; latencyFloorMs: number };
}

/** One second of a run: the CloudWatch dashboard's metric names, plus running totals. */
export interface LivePoint extends MetricWindow {
  t: number;
  phase: 'load' | 'drain';
  OffsetLag: number;
  Pollers: number;
  ConcurrentExecutions: number;
  /** Lab 3: the SQS processor's concurrency and the buffer's visible messages. */
  SqsConcurrentExecutions?: number;
  ApproximateNumberOfMessagesVisible?: number;
  totalPublished: number;
  totalProcessed: number;
  /** The Kafka ESM's own metrics published in this second, under AWS's names (labs/esm-metrics.ts). */
  EsmMetrics?: EsmMetricTotals;
}

export interface LiveEnd {
  passed?: boolean;
  error?: string;
  published?: number;
  processed?: number;
  filtered?: number;
  deadLettered?: number;
  waiting?: number;
  lost?: number;
  p50?: number;
  p99?: number;
  endedAt: string;
}

export type LiveState =
  | { status: 'running'; run: LiveRun; points: LivePoint[] }
  | { status: 'idle'; last?: { run: LiveRun; points: LivePoint[]; end?: LiveEnd } };

type Line = { type: 'run'; run: LiveRun } | { type: 'point'; point: LivePoint } | { type: 'end'; end: LiveEnd };

/** Writes one run's feed. A write that fails (full disk, removed folder) never fails the run. */
export class LiveFeedWriter {
  readonly file: string;
  #published = 0;

  constructor(run: LiveRun, dir: string = liveFeedDir()) {
    mkdirSync(dir, { recursive: true });
    pruneOldFeeds(dir);
    this.file = join(dir, `${Date.now()}-${run.runId}.jsonl`);
    this.#write({ type: 'run', run }, true);
  }

  sampled(sample: LiveSample, t: number, phase: LivePoint['phase']): void {
    const metrics = sample.metrics ?? { EventsPublished: 0, EventsProcessed: 0, BatchSize: {} };
    this.#published += metrics.EventsPublished;
    const point: LivePoint = {
      t: Math.round(t * 10) / 10,
      phase,
      ...metrics,
      OffsetLag: sample.offsetLag,
      Pollers: sample.pollers,
      ConcurrentExecutions: sample.concurrency,
      ...(sample.sqsConcurrency !== undefined
        ? { SqsConcurrentExecutions: sample.sqsConcurrency, ApproximateNumberOfMessagesVisible: sample.queueDepth ?? 0 }
        : {}),
      totalPublished: this.#published,
      totalProcessed: sample.processedSoFar,
      ...(sample.esmMetrics && Object.keys(sample.esmMetrics).length > 0 ? { EsmMetrics: sample.esmMetrics } : {}),
    };
    this.#write({ type: 'point', point });
  }

  finished(result: LabRunResult): void {
    const { passed, published, processed, filtered, deadLettered, waiting, lost } = result;
    this.#write({
      type: 'end',
      end: {
        passed,
        published,
        processed,
        filtered,
        deadLettered,
        waiting,
        lost,
        p50: result.endToEndMs.p50,
        p99: result.endToEndMs.p99,
        endedAt: new Date().toISOString(),
      },
    });
  }

  failed(error: unknown): void {
    this.#write({ type: 'end', end: { error: error instanceof Error ? error.message : String(error), endedAt: new Date().toISOString() } });
  }

  #write(line: Line, create = false): void {
    try {
      (create ? writeFileSync : appendFileSync)(this.file, `${JSON.stringify(line)}\n`);
    } catch {
      // The dashboard is a view; the run's own report is what counts.
    }
  }
}

function feedFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
}

function pruneOldFeeds(dir: string): void {
  const files = feedFiles(dir);
  for (const name of files.slice(0, Math.max(0, files.length - KEEP_FILES + 1))) rmSync(join(dir, name), { force: true });
}

/** The newest run in the folder: running while its file is fresh and has no end line. */
export function readLiveState(dir: string = liveFeedDir(), now = Date.now()): LiveState {
  const newest = feedFiles(dir).at(-1);
  if (!newest) return { status: 'idle' };
  const path = join(dir, newest);
  let run: LiveRun | undefined;
  let end: LiveEnd | undefined;
  const points: LivePoint[] = [];
  let text: string;
  let modifiedAt: number;
  try {
    text = readFileSync(path, 'utf8');
    modifiedAt = statSync(path).mtimeMs;
  } catch {
    return { status: 'idle' };
  }
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    let line: Line;
    try {
      line = JSON.parse(raw) as Line;
    } catch {
      continue; // a line being written right now
    }
    if (line.type === 'run') run = line.run;
    else if (line.type === 'point') points.push(line.point);
    else if (line.type === 'end') end = line.end;
  }
  if (!run) return { status: 'idle' };
  if (!end && now - modifiedAt < STALE_AFTER_MS) return { status: 'running', run, points };
  return {
    status: 'idle',
    last: { run, points, end: end ?? { error: 'the run stopped without a result (interrupted?)', endedAt: new Date(modifiedAt).toISOString() } },
  };
}
