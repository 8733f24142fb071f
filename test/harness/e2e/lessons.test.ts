// The labs show the effects they exist to teach, asserted on the JSON the CLI writes. Every lab
// runs with --quick, in the local sandbox, as `npm start` runs them (with the optional lab 5 too).

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LabRunResult } from '../../../harness/run-result.ts';
import { lagTooHigh } from '../../../labs/on-demand-lag.ts';
import { closeBrowser, inkedPixels, openFile, REPORTS } from '../../browser/support.ts';
import { runJson } from './support.ts';

let all: LabRunResult[] = [];
const HTML = join(REPORTS, 'index.html');

test.after(closeBrowser);

test('every lab passes its local targets with --quick, nothing lost', async () => {
  mkdirSync(REPORTS, { recursive: true });
  const { run, report } = await runJson(['run', 'all', '--with-optional', '--quick', '--html', HTML]);
  all = report.labs;
  assert.equal(
    all.map((lab) => lab.config.number),
    [1, 2, 3, 4, 5],
    'every lab, the optional one too',
  );
  const failed = all.flatMap((lab) =>
    lab.targets.filter((t) => !t.pass).map((t) => `${lab.lab}: ${t.name} ${t.actual} (expected ${t.expected}) — ${t.reason}`),
  );
  assert.equal(failed, [], 'failed targets');
  assert.is(run.code, 0);
  for (const lab of all) {
    assert.is(lab.lost, 0, `${lab.lab} lost events`);
    assert.is(lab.published, lab.processed + lab.filtered + lab.deadLettered, `${lab.lab}: published = processed + filtered + dead-lettered`);
  }
});

test('the HTML report of the run opens in Chromium with no error, and its charts render', async () => {
  assert.ok(existsSync(HTML), 'the run wrote reports/index.html');
  const { page, errors, requests } = await openFile(HTML);
  assert.equal(errors, [], 'no console error');
  assert.equal(requests, [], 'self-contained: no request leaves the file');
  const canvases = await inkedPixels(page);
  assert.ok(canvases.length >= 4 * 6, `six charts per lab, got ${canvases.length}`);
  for (const c of canvases) assert.ok(c.inked > 2000, `${c.id} has drawn pixels (${c.inked})`);
  await page.screenshot({ path: join(REPORTS, 'run-report-screenshot.png'), fullPage: true });
  await page.close();
});

/** The poller count held longest over the measured seconds (after warm-up, while load is offered). */
function settledPollers(result: LabRunResult): number {
  const held = new Map<number, number>();
  for (const point of result.timeline) {
    if (point.t < result.config.traffic.warmUpSec || point.offered === 0) continue;
    held.set(point.pollers, (held.get(point.pollers) ?? 0) + 1);
  }
  return [...held].sort((a, b) => b[1] - a[1])[0][0];
}

test('the capacity model and the sandbox agree on every lab: pollers, ceiling, and the batch a target states', () => {
  for (const lab of all) {
    const kafka = lab.model.stages.find((s) => s.source === 'kafka')!;
    if (lab.config.kafkaEsm.provisionedPollers) {
      assert.is(settledPollers(lab), kafka.pollers, `${lab.lab}: Kafka pollers over the measured window (model ${kafka.pollers})`);
    } else {
      // On-demand pollers scale in one step per three low evaluations, so a quick run may end
      // before a start-up scale-out is undone: the model's count must be the one the measured lag
      // keeps (not too high for it), and the sandbox never runs fewer.
      const lags = lab.timeline
        .filter((p) => p.t >= lab.config.traffic.warmUpSec && p.offered > 0)
        .map((p) => p.offsetLag)
        .sort((a, b) => a - b);
      const medianLag = lags[Math.floor(lags.length / 2)];
      assert.not.ok(
        lagTooHigh(medianLag, kafka.pollers!, lab.config.kafkaEsm.batchSize),
        `${lab.lab}: median lag ${medianLag} would scale the model's ${kafka.pollers} pollers out`,
      );
      assert.ok(settledPollers(lab) >= kafka.pollers!, `${lab.lab}: ${settledPollers(lab)} pollers, fewer than the model's ${kafka.pollers}`);
    }
    assert.ok(lab.throughputPerSec <= lab.model.maxThroughputPerSec * 1.05, `${lab.lab}: ${lab.throughputPerSec}/s above the model's ceiling`);
    const batch = lab.config.targets.local.avgBatchSize;
    if (batch) {
      assert.is(batch.expected, Math.round(lab.model.expectedBatchSize), `${lab.lab}: the target states the model's batch`);
      assert.ok(
        Math.abs(lab.avgBatchSize - lab.model.expectedBatchSize) <= lab.model.expectedBatchSize * batch.tolerance,
        `${lab.lab}: batch ${lab.avgBatchSize}, model ${lab.model.expectedBatchSize}`,
      );
    }
  }
});

test("the ESM metrics each lab published agree with the accounting, under AWS's names", () => {
  const [lab1, lab2, , lab4] = all;
  const m1 = lab1.esmMetrics ?? {};
  assert.is(m1.PolledEventCount, lab1.published, 'lab 1: PolledEventCount is every event read');
  assert.is(m1.InvokedEventCount, lab1.published, 'lab 1: no retries, so every event invoked once');
  assert.is(m1.CommittedEventCount, lab1.published, 'lab 1: every offset committed once');
  assert.ok(m1.MaxOffsetLag !== undefined && m1.SumOffsetLag !== undefined && m1.SumOffsetLag >= m1.MaxOffsetLag, 'KafkaMetrics published');
  assert.is(m1.ProvisionedPollers, undefined, 'on-demand mode has no ProvisionedPollers');
  const m4 = lab4.esmMetrics ?? {};
  assert.is(m4.FilteredOutEventCount, lab4.filtered, "lab 4: FilteredOutEventCount is the accounting's filtered count");
  assert.is(m4.OnFailureDestinationDeliveredEventCount, lab4.deadLettered, 'lab 4: every dead-lettered event was delivered to the destination');
  assert.ok(
    (m4.FailedInvokeEventCount ?? 0) >= 3 * lab4.deadLettered,
    'lab 4: each poison event failed its first try and 2 retries (named in BatchItemFailures)',
  );
  assert.is(lab2.esmMetrics?.ProvisionedPollers, lab2.config.kafkaEsm.provisionedPollers!.maximum, 'lab 2: ProvisionedPollers (minimum = maximum)');
});

test("lab 2's median latency is well below lab 1's", () => {
  const [lab1, lab2] = all;
  assert.ok(lab2.endToEndMs.p50 * 3 < lab1.endToEndMs.p50, `lab 2 p50 ${lab2.endToEndMs.p50} ms vs lab 1 ${lab1.endToEndMs.p50} ms`);
});

test("lab 4's filtered events are never invoked; poison events end in the destination", () => {
  const lab4 = all[3];
  assert.ok(lab4.filtered > 0.25 * lab4.published, `filtered ${lab4.filtered} of ${lab4.published}`);
  const invoked = lab4.batchSizes.reduce((sum, b) => sum + b.size * b.count, 0);
  assert.ok(invoked < lab4.published - lab4.filtered + 5 * lab4.deadLettered, `invoked records ${invoked}: filtered records never reach the function`);
  assert.ok(lab4.deadLettered > 0, 'poison events were dead-lettered');
  assert.is(lab4.lost, 0);
});

test('lab 5: the filter matched decoded Avro, only the unknown schema ids were dead-lettered, uninvoked, and the schema evolved mid-run', () => {
  const lab5 = all[4];
  const m5 = lab5.esmMetrics ?? {};
  assert.ok(lab5.filtered > 0.25 * lab5.published, `filtered ${lab5.filtered} of ${lab5.published}: the filter saw the decoded status`);
  assert.ok(lab5.deadLettered > 0);
  assert.is(m5.SchemaRegistryErrorCount, lab5.deadLettered, 'every dead letter failed schema validation');
  assert.is(m5.InvokedEventCount, lab5.processed, 'no retries: nothing the function could not read reached it');
  assert.is(m5.FailedInvokeEventCount, 0);
  const evolution = lab5.schemaEvolution;
  assert.ok(evolution && evolution.writtenWithVersion2 > 0, 'bookings written with version 2 of the schema');
  assert.ok(evolution!.incompatibleChange.refused, `the incompatible version refused: ${evolution!.incompatibleChange.answer}`);
  assert.is(lab5.schemaValidation?.records, lab5.published, 'the mapping validated every record it polled');
});

test("lab 3 sustains the rate lab 1's configuration cannot", async () => {
  const lab3 = all[2];
  assert.ok(lab3.throughputPerSec >= 0.95 * lab3.offeredPerSec, `lab 3: ${lab3.throughputPerSec}/s of ${lab3.offeredPerSec}/s`);
  const { run, report } = await runJson(['run', '1', '--quick', '--set', 'traffic.ratePerSec=200', '--set', 'processor.processingMsPerRecord=100']);
  const slow = report.labs[0];
  assert.is(run.code, 1, 'a target fails');
  assert.ok(slow.throughputPerSec < 0.8 * slow.offeredPerSec, `lab 1 at lab 3's traffic: ${slow.throughputPerSec}/s of ${slow.offeredPerSec}/s`);
  // The partition ceiling: 12 partitions, one batch in flight each, 100 ms a booking.
  assert.ok(
    slow.throughputPerSec <= slow.model.maxThroughputPerSec * 1.05,
    `${slow.throughputPerSec}/s against the model's ceiling ${slow.model.maxThroughputPerSec}/s`,
  );
  assert.ok(
    slow.throughputPerSec >= slow.model.maxThroughputPerSec * 0.8,
    `${slow.throughputPerSec}/s approaches the ceiling once the pollers have scaled out`,
  );
  // On-demand pollers grow while the backlog stays high, up to one per partition (the model's figure).
  const changes = slow.timeline.filter((p, i) => i > 0 && p.pollers !== slow.timeline[i - 1].pollers);
  assert.ok(
    changes.length >= 1 && changes.every((p) => p.pollers > 1 && p.offsetLag > slow.config.kafkaEsm.batchSize),
    `pollers grew with a high lag: ${changes.map((p) => `${p.pollers}@${p.t}s lag ${p.offsetLag}`).join(', ')}`,
  );
  assert.is(Math.max(...slow.timeline.map((p) => p.pollers)), slow.model.stages[0].pollers);
  assert.ok(
    slow.targets.some((t) => !t.pass),
    'a target fails',
  );
  assert.is(slow.lost, 0, 'slow is not lossy: the drain catches up');
});

test('a 1 s window at a low rate batches more and waits longer, as the model predicts', async () => {
  const base = ['run', '1', '--quick', '--set', 'traffic.ratePerSec=20'];
  const [defaults, windowed] = await Promise.all([runJson(base), runJson([...base, '--set', 'kafkaEsm.batchingWindowSeconds=1'])]).then((r) =>
    r.map((x) => x.report.labs[0]),
  );
  assert.ok(windowed.avgBatchSize > defaults.avgBatchSize * 1.5, `batch ${windowed.avgBatchSize} vs ${defaults.avgBatchSize}`);
  assert.ok(windowed.endToEndMs.p50 > defaults.endToEndMs.p50 + 150, `p50 ${windowed.endToEndMs.p50} vs ${defaults.endToEndMs.p50}`);
  const error = Math.abs(windowed.avgBatchSize - windowed.model.expectedBatchSize) / windowed.model.expectedBatchSize;
  assert.ok(error <= 0.2, `model ${windowed.model.expectedBatchSize} vs measured ${windowed.avgBatchSize} (${Math.round(error * 100)}%)`);
});

test.run();
