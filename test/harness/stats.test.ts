import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { average, batchSizeDistribution, latencyHistogram, summarize, sustainedThroughput } from '../../harness/stats.ts';

function near(actual: number, expected: number, relative: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= Math.abs(expected) * relative, `${what}: ${actual} not within ${relative * 100}% of ${expected}`);
}

test('uniform 1..10000 ms: percentiles where they belong', () => {
  const values = Array.from({ length: 10_000 }, (_, i) => i + 1);
  const s = summarize(values);
  assert.is(s.count, 10_000);
  assert.is(s.min, 1);
  assert.is(s.max, 10_000);
  near(s.avg, 5000.5, 0.001, 'avg');
  near(s.p50, 5000, 0.01, 'p50');
  near(s.p90, 9000, 0.01, 'p90');
  near(s.p99, 9900, 0.01, 'p99');
  near(s.p999, 9990, 0.01, 'p99.9');
});

test('exponential with mean 100 ms: median ln2 × 100, p99 ln100 × 100', () => {
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const values = Array.from({ length: 200_000 }, () => -100 * Math.log(1 - random()));
  const s = summarize(values);
  near(s.avg, 100, 0.02, 'avg');
  near(s.p50, 100 * Math.LN2, 0.02, 'p50');
  near(s.p99, 100 * Math.log(100), 0.02, 'p99');
});

test('sub-millisecond values keep their precision', () => {
  const s = summarize([0.25, 0.5, 0.75]);
  near(s.p50, 0.5, 0.01, 'p50');
  assert.is(s.min, 0.25);
});

test('no values: a zero summary, not an exception', () => {
  assert.equal(summarize([]), { min: 0, avg: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, count: 0 });
  assert.equal(latencyHistogram([]), []);
});

test('histogram buckets count every value once', () => {
  const values = [0.5, 1, 3, 7, 40, 900];
  const buckets = latencyHistogram(values);
  assert.is(
    buckets.reduce((a, b) => a + b.count, 0),
    values.length,
  );
  assert.equal(buckets.map((b) => b.upToMs).slice(0, 4), [1, 2, 5, 10]);
});

test('sustained throughput counts completions inside the shifted window', () => {
  const completions = Array.from({ length: 1000 }, (_, i) => 10_000 + i * 10 + 200); // 100/s, 200 ms late
  assert.is(sustainedThroughput(completions, { from: 10_000, to: 20_000 }, 200), 100);
  assert.is(sustainedThroughput(completions, { from: 10_000, to: 10_000 }, 200), 0);
});

test('batch size distribution and average', () => {
  assert.equal(batchSizeDistribution([3, 1, 3, 2]), [
    { size: 1, count: 1 },
    { size: 2, count: 1 },
    { size: 3, count: 2 },
  ]);
  assert.is(average([1, 2, 4]), 2.33);
});

test.run();
