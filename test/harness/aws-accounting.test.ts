import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bookingSchedule } from '../../handlers/shared/schedule.ts';
import { type AccountingInput, accountRun, predictFilteredOut } from '../../harness/targets/aws-accounting.ts';
import { type BatchLine, parseBatchLine } from '../../harness/targets/aws-logs.ts';
import { parseDeadLetteredBooking, parseOnFailureRecord } from '../../harness/targets/aws-queues.ts';
import { LABS } from '../../labs/index.ts';
import { batchLineMessage, type FailedFixture, onFailureBody, type ProcessedFixture } from './support/aws-fixtures.ts';

const [baseline, , , bestPractices] = LABS;
const RUN = 'run-acc';
const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);

let eventCounter = 0;
function line(processed: ProcessedFixture[], failed: FailedFixture[] = [], at = T0 + 1000, batchSize?: number): BatchLine {
  const report = parseBatchLine(batchLineMessage(RUN, processed, failed, batchSize))!;
  return { ...report, timestamp: at, logGroupName: '/aws/lambda/p', eventId: `e${eventCounter++}` };
}

function input(overrides: Partial<AccountingInput>): AccountingInput {
  return { runId: RUN, seqs: [0, 1, 2, 3, 4, 5], failedToPublish: 0, topic: 'bookings', lines: [], runStartMs: T0, ...overrides };
}

test('processed events, one entry per processing: duplicates kept and counted, other runs ignored', () => {
  const result = accountRun(
    input({
      lines: [
        line(
          [
            { seq: 0, endToEndMs: 10 },
            { seq: 1, endToEndMs: 11 },
            { seq: 99, runId: 'other-run' },
          ],
          [],
          T0 + 1000,
          3,
        ),
        line(
          [
            { seq: 1, endToEndMs: 30 },
            { seq: 2, endToEndMs: 12 },
          ],
          [],
          T0 + 2000,
        ),
        line([{ seq: 3 }, { seq: 4 }, { seq: 5 }], [], T0 + 3000),
      ],
    }),
  );
  assert.equal(result.observations.processed.slice(0, 4), [
    { seq: 0, endToEndMs: 10, completedAt: T0 + 1000 },
    { seq: 1, endToEndMs: 11, completedAt: T0 + 1000 },
    { seq: 1, endToEndMs: 30, completedAt: T0 + 2000 },
    { seq: 2, endToEndMs: 12, completedAt: T0 + 2000 },
  ]);
  assert.is(result.observations.processed.length, 7);
  assert.is(result.duplicates, 1);
  assert.equal(result.observations.batchSizes, [3, 2, 3]);
  assert.equal(result.unaccounted, []);
  assert.equal(result.observations.filteredSeqs, []);
  assert.equal(result.observations.deadLetteredSeqs, []);
});

test('dead-lettered via the Kafka on-failure destination: failed entries inside a destination range, never processed', () => {
  const lines = [
    // seq 2 (poison) fails at partition 3 offset 41, retried and bisected, never processed.
    line([{ seq: 0 }, { seq: 1 }], [{ seq: 2, partition: 3, offset: 41 }]),
    line([], [{ seq: 2, partition: 3, offset: 41 }]),
    // seq 4 failed once, then was processed on a retry: not dead-lettered.
    line([{ seq: 3 }], [{ seq: 4, partition: 5, offset: 7 }]),
    line([{ seq: 4 }, { seq: 5 }]),
  ];
  const records = [
    parseOnFailureRecord({ MessageId: 'm1', Body: onFailureBody('bookings', [{ partition: 3, first: 41, last: 41 }]) })!,
    // A range that also covers seq 4's failed offset: seq 4 was processed after all.
    parseOnFailureRecord({ MessageId: 'm2', Body: onFailureBody('bookings', [{ partition: 5, first: 5, last: 9 }]) })!,
    // An older run's record: its offsets match no failed entry of this run, and it predates the run.
    parseOnFailureRecord({ MessageId: 'm3', Body: onFailureBody('bookings', [{ partition: 3, first: 1, last: 2 }], '2025-12-31T00:00:00.000Z') })!,
  ];
  const result = accountRun(input({ lines, destination: { records } }));
  assert.equal(result.observations.deadLetteredSeqs, [2]);
  assert.equal(result.unaccounted, []);
  assert.equal(result.notes, []);
});

test('a failed event outside every destination range is not dead-lettered (still retrying, or lost)', () => {
  const lines = [line([{ seq: 0 }, { seq: 1 }, { seq: 3 }, { seq: 4 }, { seq: 5 }], [{ seq: 2, partition: 3, offset: 41 }])];
  const records = [
    parseOnFailureRecord({ MessageId: 'm1', Body: onFailureBody('bookings', [{ partition: 3, first: 50, last: 60 }], '2026-01-01T00:00:05.000Z') })!,
  ];
  const result = accountRun(input({ lines, destination: { records } }));
  assert.equal(result.observations.deadLetteredSeqs, []);
  assert.equal(result.unaccounted, [2]);
  assert.match(result.notes.join(' '), /1 on-failure destination record\(s\) since the run started match no failed entry/);
});

test("another topic's ranges do not count", () => {
  const lines = [line([], [{ seq: 2, partition: 3, offset: 41 }])];
  const records = [parseOnFailureRecord({ MessageId: 'm1', Body: onFailureBody('other-topic', [{ partition: 3, first: 41, last: 41 }]) })!];
  assert.equal(accountRun(input({ lines, destination: { records } })).observations.deadLetteredSeqs, []);
});

test("dead-lettered via lab 3's buffer DLQ: seqs straight from the message bodies", () => {
  assert.equal(parseDeadLetteredBooking({ Body: JSON.stringify({ runId: RUN, seq: 4, status: 'CONFIRMED' }) }), { runId: RUN, seq: 4 });
  assert.is(parseDeadLetteredBooking({ Body: 'bm90IGpzb24=' }), undefined);
  const result = accountRun(
    input({ lines: [line([{ seq: 0 }, { seq: 1 }, { seq: 2 }, { seq: 3 }, { seq: 5 }], [{ seq: 4, messageId: 'abc' }])], dlqSeqs: [4] }),
  );
  assert.equal(result.observations.deadLetteredSeqs, [4]);
  assert.equal(result.unaccounted, []);
});

test('filtered seqs: predicted by the filter, confirmed when FilteredOutEventCount has counted them', () => {
  const lines = [line([{ seq: 0 }, { seq: 2 }, { seq: 5 }])];
  const predictedFilteredOut = new Set([1, 3, 4]);
  const unconfirmed = accountRun(input({ lines, predictedFilteredOut }));
  assert.equal(unconfirmed.predictedFiltered, [1, 3, 4]);
  assert.is(unconfirmed.filterConfirmed, false);
  assert.equal(unconfirmed.observations.filteredSeqs, []);
  assert.equal(unconfirmed.unaccounted, [1, 3, 4], 'until the metric agrees, they count as lost');
  assert.match(unconfirmed.notes.join(' '), /FilteredOutEventCount shows no data/);

  const short = accountRun(input({ lines, predictedFilteredOut, filteredOutCount: 2 }));
  assert.is(short.filterConfirmed, false);
  assert.equal(short.observations.filteredSeqs, []);
  assert.match(short.notes.join(' '), /should have dropped 3 event\(s\).*shows 2/);

  const exact = accountRun(input({ lines, predictedFilteredOut, filteredOutCount: 3 }));
  assert.is(exact.filterConfirmed, true);
  assert.equal(exact.observations.filteredSeqs, [1, 3, 4]);
  assert.equal(exact.unaccounted, []);
  assert.equal(exact.notes, []);

  // The metric is per minute: an earlier run's events can share the first minute.
  assert.equal(accountRun(input({ lines, predictedFilteredOut, filteredOutCount: 5 })).observations.filteredSeqs, [1, 3, 4]);
});

test('a predicted-filtered seq that was processed is processed, not filtered; unpublished events relax the check', () => {
  const lines = [line([{ seq: 0 }, { seq: 1 }, { seq: 2 }, { seq: 5 }])];
  const result = accountRun(input({ lines, predictedFilteredOut: new Set([1, 3, 4]), filteredOutCount: 1, failedToPublish: 1 }));
  assert.equal(result.predictedFiltered, [3, 4]);
  assert.equal(result.observations.filteredSeqs, [3, 4]);
  assert.match(result.notes.join(' '), /1 event\(s\) failed to publish/);
});

test("predictFilteredOut runs lab 4's filter (CONFIRMED only) on the rebuilt events", () => {
  const plan = { runId: RUN, startAtMs: T0, profile: { ...bestPractices.traffic, durationSec: 2 } };
  const dropped = predictFilteredOut(bestPractices, plan);
  const events = [...bookingSchedule(plan.profile, plan.startAtMs)];
  assert.ok(events.length === 400);
  for (const e of events) {
    const passes = e.poison || e.status === 'CONFIRMED'; // poison events carry status CONFIRMED
    assert.is(dropped.has(e.seq), !passes, `seq ${e.seq} ${e.status}${e.poison ? ' poison' : ''}`);
  }
  assert.ok(dropped.size > 100 && dropped.size < 250, `about 40% dropped, got ${dropped.size}`);
  assert.is(predictFilteredOut(baseline, { ...plan, profile: baseline.traffic }).size, 0);
});

test.run();
