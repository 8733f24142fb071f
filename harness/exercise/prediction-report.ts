// The learner's prediction beside the capacity model's figure and the run's, and the largest miss
// explained in the model's terms (labs/model-rules.ts). Kept in progress.json with the check.
import type { CapacityModel } from '../../labs/capacity-model.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import { batchRuleApplied, bottleneckApplied, concurrencyRuleApplied, latencyRuleApplied, RULES } from '../../labs/model-rules.ts';
import { BOTTLENECKS, PREDICTED, type Prediction } from '../../labs/prediction.ts';
import type { LabRunResult } from '../run-result.ts';

export interface PredictionRow {
  key: keyof Prediction;
  label: string;
  you: string;
  model: string;
  measured: string;
  /** How far the prediction is from the model's figure: relative for numbers, 0 or WRONG_BOTTLENECK for the bottleneck. */
  miss: number;
}

export interface PredictionComparison {
  rows: PredictionRow[];
  /** The largest miss over MISS_WORTH_EXPLAINING, in the model's terms; none when every figure was close. */
  largestMiss?: { key: keyof Prediction; explanation: string };
}

/** A prediction this far from the model's figure (a quarter) gets the rule behind it explained. */
export const MISS_WORTH_EXPLAINING = 0.25;
/** A wrong bottleneck counts as a miss of half: explained, unless a number is further off. */
const WRONG_BOTTLENECK = 0.5;

/** The quantities the learner has not written yet. */
export function unwritten(prediction: Prediction | undefined): string[] {
  return PREDICTED.filter(({ key }) => prediction?.[key] === undefined).map(({ key }) => key);
}

/** What is wrong with what was written (a negative batch, an unknown bottleneck), as lines. */
export function predictionProblems(prediction: Prediction): string[] {
  const problems: string[] = [];
  for (const key of ['avgBatchSize', 'p50Ms', 'maxConcurrency'] as const) {
    const value = prediction[key];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0))
      problems.push(`prediction.${key} is ${JSON.stringify(value)}: write a number, 0 or more`);
  }
  if (prediction.bottleneck !== undefined && !BOTTLENECKS.includes(prediction.bottleneck)) {
    problems.push(`prediction.bottleneck is ${JSON.stringify(prediction.bottleneck)}: write one of ${BOTTLENECKS.map((b) => `'${b}'`).join(', ')}`);
  }
  return problems;
}

/** The processor's peak concurrency in the run: the SQS processor's when the lab has a buffer. */
export function peakConcurrency(result: LabRunResult): number {
  const buffered = result.config.sqsBuffer !== undefined;
  return Math.max(0, ...result.timeline.map((p) => (buffered ? (p.sqsConcurrency ?? 0) : p.concurrency)));
}

const relativeMiss = (you: number, reference: number) => Math.abs(you - reference) / Math.max(Math.abs(reference), 1);

export function comparePrediction(prediction: Prediction, result: LabRunResult): PredictionComparison {
  const spec = result.config;
  const model = result.model;
  const limit = model.stages[model.stages.length - 1].concurrencyLimit;
  const peak = peakConcurrency(result);
  const keptUp = result.throughputPerSec >= 0.95 * result.offeredPerSec && result.waiting === 0;
  const row = (key: keyof Prediction, modelFigure: string | number, measured: string | number, miss: number): PredictionRow => ({
    key,
    label: PREDICTED.find((p) => p.key === key)!.label,
    you: prediction[key] === undefined ? '—' : String(prediction[key]),
    model: String(modelFigure),
    measured: String(measured),
    miss,
  });
  const rows = [
    row('avgBatchSize', model.expectedBatchSize, result.avgBatchSize, relativeMiss(prediction.avgBatchSize ?? 0, model.expectedBatchSize)),
    row('p50Ms', model.latencyFloorMs, result.endToEndMs.p50, relativeMiss(prediction.p50Ms ?? 0, model.latencyFloorMs)),
    row('maxConcurrency', limit, `${peak} at the peak`, relativeMiss(prediction.maxConcurrency ?? 0, limit)),
    row(
      'bottleneck',
      model.bottleneckKind,
      keptUp
        ? `not reached: the run kept up (${peak} of ${limit} at once at most)`
        : `reached: ${result.throughputPerSec}/s of ${result.offeredPerSec}/s offered`,
      prediction.bottleneck === model.bottleneckKind ? 0 : WRONG_BOTTLENECK,
    ),
  ];
  const worst = rows.reduce((a, b) => (b.miss > a.miss ? b : a));
  return worst.miss > MISS_WORTH_EXPLAINING ? { rows, largestMiss: { key: worst.key, explanation: explainMiss(worst, spec, model) } } : { rows };
}

function explainMiss(row: PredictionRow, spec: LabSpec, model: CapacityModel): string {
  const head = `Largest miss: ${row.label}, you ${row.you}, the model ${row.model}.`;
  switch (row.key) {
    case 'avgBatchSize':
      return `${head} Rule: ${RULES.batch}. Here: ${batchRuleApplied(spec, model)}.`;
    case 'p50Ms':
      return `${head} Rule: ${RULES.latency}. Here: ${latencyRuleApplied(spec, model)}.`;
    case 'maxConcurrency':
      return `${head} Rule: ${RULES.concurrency}. Here: ${concurrencyRuleApplied(model)}.`;
    case 'bottleneck':
      return `${head} The slowest stage sets the ceiling: ${bottleneckApplied(model)}.`;
  }
}

/** The comparison as the check prints it. */
export function renderComparison(comparison: PredictionComparison): string[] {
  const header = ['', 'you', 'model', 'measured'];
  const rows = comparison.rows.map((r) => [r.label, r.you, r.model, r.measured]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}`.trimEnd();
  return [
    'Your prediction, the capacity model and the run:',
    line(header),
    ...rows.map(line),
    comparison.largestMiss
      ? `  ${comparison.largestMiss.explanation}`
      : `  Every prediction was within ${MISS_WORTH_EXPLAINING * 100}% of the model: you know these rules.`,
  ];
}
