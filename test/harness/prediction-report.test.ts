// The prediction beside the model and the run: each quantity's three figures, the processor's
// peak concurrency (the SQS processor's behind a buffer), and the largest miss explained with the
// rule the lab teaches, in this spec's own numbers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { comparePrediction, peakConcurrency, predictionProblems, renderComparison, unwritten } from '../../harness/exercise/prediction-report.ts';
import { RULES } from '../../labs/model-rules.ts';
import { makeRunReport } from './support/report-fixture.ts';

const [lab1, lab2, lab3] = makeRunReport().labs;

test("each quantity: yours, the model's and the run's; the run kept up, so the bottleneck was not reached", () => {
  const { rows, largestMiss } = comparePrediction({ avgBatchSize: 51, p50Ms: 300, maxConcurrency: 12, bottleneck: 'partitions' }, lab1);
  assert.equal(
    rows.map((r) => [r.key, r.you, r.model]),
    [
      ['avgBatchSize', '51', '51'],
      ['p50Ms', '300', '302'],
      ['maxConcurrency', '12', '12'],
      ['bottleneck', 'partitions', 'partitions'],
    ],
  );
  assert.is(rows[0].measured, String(lab1.avgBatchSize));
  assert.match(rows[3].measured, /^not reached: the run kept up \(2 of 12 at once at most\)/);
  assert.is(largestMiss, undefined, 'nothing to explain');
  assert.match(renderComparison({ rows }).at(-1)!, 'Every prediction was within 25% of the model');
});

test("the largest miss is explained with its rule and this lab's numbers", () => {
  const batch = comparePrediction({ avgBatchSize: 100, p50Ms: 280, maxConcurrency: 12, bottleneck: 'partitions' }, lab1).largestMiss!;
  assert.is(batch.key, 'avgBatchSize');
  assert.match(batch.explanation, `Rule: ${RULES.batch}.`);
  assert.match(
    batch.explanation,
    'min(batch size 100, 100/s ÷ 1 poller × 0.5 s window + the record that opened it ≈ 51) ≈ 51: the window closes before the batch fills',
  );

  const latency = comparePrediction({ avgBatchSize: 51, p50Ms: 500, maxConcurrency: 12, bottleneck: 'partitions' }, lab1).largestMiss!;
  assert.is(latency.key, 'p50Ms');
  assert.match(latency.explanation, `Rule: ${RULES.latency}.`);
  assert.match(latency.explanation, '250 ms waiting (half the 500 ms window)');

  const concurrency = comparePrediction({ avgBatchSize: 1, p50Ms: 10, maxConcurrency: 12 * 5, bottleneck: 'pollers' }, lab2).largestMiss!;
  assert.is(concurrency.key, 'maxConcurrency');
  assert.match(concurrency.explanation, 'at most 10 invocations of the processor at once: 2 pollers × 5 invocations');

  const bottleneck = comparePrediction({ avgBatchSize: 5, p50Ms: 300, maxConcurrency: 40, bottleneck: 'partitions' }, lab3).largestMiss!;
  assert.is(bottleneck.key, 'bottleneck');
  assert.match(bottleneck.explanation, 'SQS ESM: MaximumConcurrency 40: a ceiling of 400/s');
});

test("behind a buffer the processor's concurrency is the SQS mapping's", () => {
  assert.is(peakConcurrency(lab3), Math.max(...lab3.timeline.map((p) => p.sqsConcurrency ?? 0)));
  assert.is(peakConcurrency(lab3), 40);
});

test('a prediction not yet written, or written wrong, is named field by field', () => {
  assert.equal(unwritten({}), ['avgBatchSize', 'p50Ms', 'maxConcurrency', 'bottleneck']);
  assert.equal(unwritten({ avgBatchSize: 1, p50Ms: 2, maxConcurrency: 3 }), ['bottleneck']);
  assert.equal(predictionProblems({ avgBatchSize: -1, p50Ms: Number.NaN, bottleneck: 'the window' as never }), [
    'prediction.avgBatchSize is -1: write a number, 0 or more',
    'prediction.p50Ms is null: write a number, 0 or more',
    "prediction.bottleneck is \"the window\": write one of 'partitions', 'pollers', 'poller throughput', 'reserved concurrency', 'sqs concurrency'",
  ]);
});

test.run();
