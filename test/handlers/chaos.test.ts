// The fault-injection knobs CHAOS_FAILURE_RATE and CHAOS_TIMEOUT_RATE (handlers/shared/chaos.ts,
// read by handlers/shared/settings.ts): off by default, validated like every other setting, and
// doing what the fault suite (test/faults/) relies on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { handler as bookingProcessor } from '../../handlers/booking-processor.ts';
import { consumeBookings } from '../../handlers/shared/booking-batch.ts';
import { chaosRandom, extraLatencyMs, INJECTED_FAILURE, INJECTED_HANG, maybeFailRecord, maybeHangPastTimeout } from '../../handlers/shared/chaos.ts';
import { PROCESSING_MODES } from '../../handlers/shared/processing.ts';
import { mixSeed, mulberry32 } from '../../handlers/shared/random.ts';
import {
  type ChaosSettings,
  chaosEnvironment,
  type ProcessorSettings,
  processorEnvironment,
  readChaosSettings,
  readProcessorSettings,
} from '../../handlers/shared/settings.ts';
import { telemetry } from '../../handlers/shared/telemetry.ts';
import { handler as sqsProcessor } from '../../handlers/sqs-processor.ts';
import { withEnv } from './support/env.ts';
import { bookingValue, kafkaEvent, kafkaRecord, sqsEventFromKafka } from './support/events.ts';
import { captureStdout, logLines } from './support/stdout.ts';

const BASE = {
  PROCESSING_MS_PER_RECORD: '0',
  PROCESSING_MODE: 'sequential',
  LAB_ID: undefined,
  CHAOS_FAILURE_RATE: undefined,
  CHAOS_TIMEOUT_RATE: undefined,
  CHAOS_LATENCY_MS: undefined,
  CHAOS_LATENCY_UNTIL: undefined,
  CHAOS_SEED: undefined,
};
const OFF: ChaosSettings = { failureRate: 0, timeoutRate: 0, latencyMs: 0, latencyUntil: Infinity };
/** A new generator for (seed, knob), as chaosRandom builds one in a fresh environment. */
const mulberry32Reference = (seed: number, knob: 'failure' | 'timeout') => mulberry32(mixSeed(seed, knob === 'failure' ? 1 : 2));
const records = (n: number) => Array.from({ length: n }, (_, i) => kafkaRecord('bookings', i % 3, i, bookingValue({ seq: i }), `BK-${i}`));

test('every chaos knob defaults to off; set values are read', () => {
  const defaults = readProcessorSettings({}, { reportBatchItemFailures: false });
  assert.equal(defaults.chaos, OFF);
  const set = readProcessorSettings(
    { CHAOS_FAILURE_RATE: '0.1', CHAOS_TIMEOUT_RATE: '1', CHAOS_LATENCY_MS: '40', CHAOS_LATENCY_UNTIL: '1795718000000' },
    { reportBatchItemFailures: false },
  );
  assert.equal(set.chaos, { failureRate: 0.1, timeoutRate: 1, latencyMs: 40, latencyUntil: 1795718000000 });
  assert.equal(readProcessorSettings({ CHAOS_FAILURE_RATE: ' ', CHAOS_TIMEOUT_RATE: '', CHAOS_LATENCY_MS: '' }, { reportBatchItemFailures: true }).chaos, OFF);
});

test('chaosEnvironment writes what readChaosSettings reads back', () => {
  const chaos = { failureRate: 1, timeoutRate: 0.2, latencyMs: 50, latencyUntil: 1_800_000_000_000, seed: 7 };
  assert.equal(readChaosSettings(chaosEnvironment(chaos)), chaos);
  assert.equal(chaosEnvironment({ failureRate: 1 }), { CHAOS_FAILURE_RATE: '1' });
});

test('processorEnvironment writes what readProcessorSettings reads back, for every mode, work kind and record format', () => {
  for (const mode of PROCESSING_MODES) {
    for (const [reportBatchItemFailures, workKind, eventRecordFormat] of [
      [true, 'cpu', 'JSON'],
      [false, 'io', 'SOURCE'],
    ] as const) {
      const written = { processingMsPerRecord: 12, mode, workKind, reportBatchItemFailures, eventRecordFormat };
      const { chaos, ...read } = readProcessorSettings(processorEnvironment(written), { reportBatchItemFailures: !reportBatchItemFailures });
      assert.equal(read, written);
      assert.equal(chaos, OFF, 'the writer never turns chaos on');
    }
  }
});

test('a bad chaos value is one clear error naming the variable and the range', () => {
  for (const [name, raw, range] of [
    ['CHAOS_FAILURE_RATE', '10%', '0 to 1'],
    ['CHAOS_FAILURE_RATE', '1.5', '0 to 1'],
    ['CHAOS_TIMEOUT_RATE', '-0.1', '0 to 1'],
    ['CHAOS_TIMEOUT_RATE', 'sometimes', '0 to 1'],
    ['CHAOS_LATENCY_MS', '1e9', '0 to 900000'],
    ['CHAOS_LATENCY_UNTIL', 'tomorrow', `0 to ${Number.MAX_SAFE_INTEGER}`],
  ]) {
    assert.throws(
      () => readProcessorSettings({ [name]: raw }, { reportBatchItemFailures: false }),
      (error: Error) => error.message === `${name}=${JSON.stringify(raw)} is not valid: use a number from ${range}.`,
      `${name}=${raw}`,
    );
  }
});

test('CHAOS_SEED is a whole number from 0 to 2^32-1; anything else is one clear error', () => {
  assert.is(readProcessorSettings({ CHAOS_SEED: '4' }, { reportBatchItemFailures: false }).chaos.seed, 4);
  assert.is(readProcessorSettings({ CHAOS_SEED: '4294967295' }, { reportBatchItemFailures: false }).chaos.seed, 4294967295);
  for (const raw of ['-1', '1.5', '4294967296', 'abc']) {
    assert.throws(
      () => readProcessorSettings({ CHAOS_SEED: raw }, { reportBatchItemFailures: false }),
      (error: Error) => error.message === `CHAOS_SEED=${JSON.stringify(raw)} is not valid: use a whole number from 0 to 4294967295.`,
      raw,
    );
  }
});

test('with CHAOS_SEED every environment replays the same draws, one sequence per knob; without it, Math.random', () => {
  assert.is(chaosRandom(OFF, 'timeout'), Math.random);
  // Module state stands for one execution environment; a fresh one starts the same sequence.
  const fresh = (seed: number, knob: 'failure' | 'timeout') => Array.from({ length: 8 }, mulberry32Reference(seed, knob));
  const timeout = chaosRandom({ seed: 4 }, 'timeout');
  const drawn = Array.from({ length: 8 }, () => timeout());
  assert.equal(drawn, fresh(4, 'timeout'));
  assert.is(chaosRandom({ seed: 4 }, 'timeout'), timeout, 'the same generator for the life of the environment');
  const [failures, timeouts] = [chaosRandom({ seed: 9 }, 'failure'), chaosRandom({ seed: 9 }, 'timeout')];
  assert.not.equal(Array.from({ length: 8 }, failures), Array.from({ length: 8 }, timeouts), 'failure draws do not shift timeout draws');
  assert.not.equal(fresh(5, 'timeout'), fresh(4, 'timeout'));
  // The fault suite's seed: draws 1-4 at or above 0.2, the 5th below, so at CHAOS_TIMEOUT_RATE 0.2
  // every environment runs four invocations and times out on its fifth.
  assert.equal(
    fresh(4, 'timeout')
      .slice(0, 5)
      .map((d) => d < 0.2),
    [false, false, false, false, true],
  );
});

test('a bad chaos value fails the invocation with that one line (like any misconfiguration)', async () => {
  const run = await withEnv({ ...BASE, CHAOS_FAILURE_RATE: 'half' }, () => captureStdout(() => bookingProcessor(kafkaEvent(records(2)))));
  assert.instance(run.error, Error);
  assert.is((run.error as Error).message, 'CHAOS_FAILURE_RATE="half" is not valid: use a number from 0 to 1.');
});

test('maybeFailRecord throws "injected failure" exactly when the draw is below the rate', () => {
  const chaos = { ...OFF, failureRate: 0.25 };
  assert.not.throws(() => maybeFailRecord(chaos, () => 0.25));
  assert.throws(
    () => maybeFailRecord(chaos, () => 0.2499),
    (e: Error) => e.message === INJECTED_FAILURE,
  );
  let draws = 0;
  maybeFailRecord(OFF, () => (draws++, 0));
  assert.is(draws, 0, 'rate 0 never draws, so it can never fail');
});

test('CHAOS_FAILURE_RATE: each record attempt fails independently at about the rate', async () => {
  const settings: ProcessorSettings = {
    processingMsPerRecord: 0,
    mode: 'sequential',
    workKind: 'io',
    reportBatchItemFailures: true,
    chaos: { ...OFF, failureRate: 0.1 },
  };
  const inbound = Array.from({ length: 2000 }, (_, i) => ({ ref: i, value: bookingValue({ seq: i }) }));
  const result = await captureStdout(() =>
    consumeBookings(inbound, { settings, telemetry: telemetry('booking-processor'), identify: () => ({}), random: mulberry32(7) }),
  );
  const { processed, failed } = result.result!;
  assert.is(processed.length + failed.length, 2000);
  assert.ok(failed.length > 150 && failed.length < 250, `${failed.length} of 2000 failed at rate 0.1`);
  assert.ok(failed.every((f) => f.reason === `processing failed: ${INJECTED_FAILURE}`));
});

test('booking-processor at CHAOS_FAILURE_RATE=1: every record is a batch item failure (partial responses on)', async () => {
  const event = kafkaEvent(records(4));
  const run = await withEnv({ ...BASE, REPORT_BATCH_ITEM_FAILURES: 'true', CHAOS_FAILURE_RATE: '1' }, () => captureStdout(() => bookingProcessor(event)));
  assert.is(run.error, undefined);
  assert.is((run.result as { batchItemFailures: unknown[] }).batchItemFailures.length, 4);
  const [line] = logLines(run.lines, 'batch processed');
  assert.equal(line.processed, []);
  assert.ok(line.failed.every((f: any) => f.reason === 'processing failed: injected failure' && typeof f.seq === 'number'));
});

test('booking-processor at CHAOS_FAILURE_RATE=1 with partial responses off fails the whole batch', async () => {
  const run = await withEnv({ ...BASE, REPORT_BATCH_ITEM_FAILURES: 'false', CHAOS_FAILURE_RATE: '1' }, () =>
    captureStdout(() => bookingProcessor(kafkaEvent(records(3)))),
  );
  assert.instance(run.error, Error);
  assert.match((run.error as Error).message, /3 of 3 records failed.*injected failure/);
});

test('sqs-processor at CHAOS_FAILURE_RATE=1 reports every message as a batch item failure', async () => {
  const event = sqsEventFromKafka([0, 1, 2].map((i) => ({ partition: 0, offset: i, value: new Uint8Array(Buffer.from(bookingValue({ seq: i }))) })));
  const run = await withEnv({ ...BASE, CHAOS_FAILURE_RATE: '1' }, () => captureStdout(() => sqsProcessor(event)));
  assert.is(run.error, undefined);
  assert.is((run.result as { batchItemFailures: unknown[] }).batchItemFailures.length, 3);
});

test('maybeHangPastTimeout waits past the remaining time, only at the rate', async () => {
  const waited: number[] = [];
  const wait = async (ms: number) => void waited.push(ms);
  const context = { getRemainingTimeInMillis: () => 2_500 };
  assert.is(await maybeHangPastTimeout({ ...OFF, timeoutRate: 0.5 }, context, { random: () => 0.5, wait }), 0);
  assert.is(await maybeHangPastTimeout({ ...OFF, timeoutRate: 0.5 }, context, { random: () => 0.49, wait }), 3_500);
  assert.equal(waited, [3_500], 'past the 2.5 s left, so the runtime times the invocation out first');
  assert.is(await maybeHangPastTimeout({ ...OFF, timeoutRate: 1 }, undefined, { wait }), 901_000, "no context: past Lambda's longest timeout");
});

test('extraLatencyMs: the latency applies until CHAOS_LATENCY_UNTIL, then stops', () => {
  const chaos = { ...OFF, latencyMs: 40, latencyUntil: 10_000 };
  assert.is(extraLatencyMs(chaos, 9_999), 40);
  assert.is(extraLatencyMs(chaos, 10_000), 0);
  assert.is(extraLatencyMs({ ...OFF, latencyMs: 40 }, Date.now()), 40, 'no end set: for good');
  assert.is(extraLatencyMs(OFF, 0), 0);
});

test('CHAOS_LATENCY_MS slows each record while the phase lasts', async () => {
  const inbound = Array.from({ length: 5 }, (_, i) => ({ ref: i, value: bookingValue({ seq: i }) }));
  const run = async (chaos: ChaosSettings) => {
    const started = performance.now();
    const settings: ProcessorSettings = { processingMsPerRecord: 0, mode: 'sequential', workKind: 'io', reportBatchItemFailures: true, chaos };
    const result = await captureStdout(() => consumeBookings(inbound, { settings, telemetry: telemetry('booking-processor'), identify: () => ({}) }));
    assert.is(result.result!.processed.length, 5);
    return performance.now() - started;
  };
  // A lower bound only (timers never fire early); when the phase ends is extraLatencyMs' test.
  const slow = await run({ ...OFF, latencyMs: 30, latencyUntil: Date.now() + 60_000 });
  assert.ok(slow >= 5 * 30 - 5, `5 records x 30 ms took ${slow.toFixed(0)} ms`);
  await run({ ...OFF, latencyMs: 30, latencyUntil: Date.now() - 1 });
});

test('CHAOS_TIMEOUT_RATE=1: the batch is processed and logged, then the handler hangs past the timeout', async () => {
  const context = { getRemainingTimeInMillis: () => 20 } as any;
  const started = Date.now();
  // Powertools writes warnings to stderr (Lambda sends both streams to the log stream).
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
  const run = await withEnv({ ...BASE, REPORT_BATCH_ITEM_FAILURES: 'true', CHAOS_TIMEOUT_RATE: '1' }, () =>
    captureStdout(() => bookingProcessor(kafkaEvent(records(3)), context)),
  ).finally(() => (process.stderr.write = write));
  assert.ok(Date.now() - started >= 1_000, 'it waited past the 20 ms the context had left');
  const [line] = logLines(run.lines, 'batch processed');
  assert.is(line.processed.length, 3, 'the work was done before the hang');
  const [hang] = logLines(stderr.join('').split('\n'), INJECTED_HANG);
  assert.is(hang.level, 'WARN');
  assert.is(hang.hangMs, 1_020);
});

test.run();
