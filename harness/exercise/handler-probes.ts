// Lab 4's processor, tried before any traffic: the learner's booking-processor.ts is bundled as
// Lambda would run it and invoked in the local Lambda runtime with small batches whose right
// answer is known. Each probe is one thing the lab asks the handler to do, so a failure names
// the code to look at, in seconds, instead of after a run.
import { isDeepStrictEqual } from 'node:util';
import { bundleHandler, LEARNER_BUNDLES } from '../../handlers/bundle.ts';
import { makeBooking, makePoisonEvent } from '../../handlers/shared/booking.ts';
import { kafkaBatchResponse } from '../../handlers/shared/kafka-event.ts';
import { ranBeforeFailing } from '../../handlers/shared/processing.ts';
import type { ProcessorSettings } from '../../handlers/shared/settings.ts';
import { type ChaosSettings, chaosEnvironment, processorEnvironment } from '../../handlers/shared/settings.ts';
import { DEFAULT_METRICS_NAMESPACE, readBatchReport } from '../../handlers/shared/telemetry.ts';
import { describeBuildErrors } from '../../labs/build-errors.ts';
import { toKafkaEvent } from '../../sandbox/kafka-esm/msk-event.ts';
import type { PolledRecord } from '../../sandbox/kafka-esm/polled-record.ts';
import { type InvokeResult, type LambdaFunction, LambdaRuntime } from '../../sandbox/lambda-runtime/index.ts';
import type { Finding } from './finding.ts';

const TOPIC = 'bookings';
const EVENT_BYTES = 256;
/** Long enough that timer jitter on a busy laptop cannot make sequential work look parallel. */
const WORK_MS = 100;

interface ProbeRecord {
  offset: number;
  value: string;
}

function booking(seq: number, bookingId: string, intendedAt: number): string {
  return makeBooking({ runId: 'probe', seq, intendedAt, bookingId, flight: 'KL1001', status: 'CONFIRMED', eventBytes: EVENT_BYTES });
}

function kafkaEventOf(records: ProbeRecord[]) {
  const polled: PolledRecord[] = records.map((r) => ({
    topic: TOPIC,
    partition: 0,
    offset: r.offset,
    timestamp: Date.now(),
    timestampType: 'CREATE_TIME',
    key: null,
    value: Buffer.from(r.value),
    headers: [],
    polledAt: Date.now(),
  }));
  return toKafkaEvent(polled, { kind: 'self-managed', bootstrapServers: '127.0.0.1:9092' });
}

function invocationText(result: InvokeResult): string {
  if (result.outcome === 'ok') return `returned ${JSON.stringify(result.response)}`;
  return `failed (${result.outcome}${result.error ? `: ${result.error.errorType}: ${result.error.errorMessage}` : ''})`;
}

export async function probeBookingProcessor(source: string): Promise<Finding[]> {
  let bundleFile: string;
  try {
    bundleFile = (await bundleHandler('booking-processor', { entry: source, outRoot: LEARNER_BUNDLES, force: true })).file;
  } catch (error) {
    return [{ name: 'booking-processor.ts compiles', pass: false, detail: describeBuildErrors(error) ?? (error as Error).message }];
  }
  const runtime = new LambdaRuntime();
  let count = 0;
  const processor = (settings: Omit<ProcessorSettings, 'chaos'>, chaos: Partial<ChaosSettings> = {}): LambdaFunction =>
    runtime.createFunction({
      name: `exercise-probe-${++count}`,
      bundleFile,
      env: {
        POWERTOOLS_SERVICE_NAME: 'booking-processor',
        METRICS_NAMESPACE: DEFAULT_METRICS_NAMESPACE,
        ...processorEnvironment(settings),
        ...chaosEnvironment(chaos),
      },
      memoryMb: 512,
      timeoutSeconds: 10,
    });
  try {
    const findings: Finding[] = [{ name: 'booking-processor.ts compiles', pass: true }];
    const now = Date.now();
    const withPoison = kafkaEventOf([
      { offset: 10, value: booking(0, 'BK-1', now) },
      { offset: 11, value: makePoisonEvent({ runId: 'probe', seq: 1, intendedAt: now, flight: 'KL1001', eventBytes: EVENT_BYTES }) },
      { offset: 12, value: booking(2, 'BK-2', now) },
    ]);
    const expected = kafkaBatchResponse([{ topic: TOPIC, partition: 0, offset: 11 }]);

    const partial = await processor({ processingMsPerRecord: 0, workKind: 'io', mode: 'sequential', reportBatchItemFailures: true }).invoke(withPoison);
    findings.push({
      name: 'partial batch response',
      pass: partial.outcome === 'ok' && isDeepStrictEqual(partial.response, expected),
      measured: `a batch of 3 with one poison event (offset 11), partial batch responses on: ${invocationText(partial)}; expected: offset 11, and only it, reported as failed`,
    });

    const whole = await processor({ processingMsPerRecord: 0, workKind: 'io', mode: 'sequential', reportBatchItemFailures: false }).invoke(withPoison);
    findings.push({
      name: 'whole batch fails when partial responses are off',
      pass: whole.outcome === 'error',
      measured: `the same batch, partial batch responses off: ${invocationText(whole)}${whole.outcome === 'ok' ? ': the mapping would commit the poison event as processed' : ''}`,
    });

    findings.push(
      ...(await probeParallelByKey(processor({ processingMsPerRecord: WORK_MS, workKind: 'io', mode: 'parallel-by-key', reportBatchItemFailures: true }))),
    );
    // Every record's downstream write fails: only the first of each booking may have run.
    findings.push(
      await probeFailedBooking(
        processor({ processingMsPerRecord: WORK_MS, workKind: 'io', mode: 'parallel-by-key', reportBatchItemFailures: true }, { failureRate: 1 }),
      ),
    );
    return findings;
  } finally {
    await runtime.close();
  }
}

/** Six bookings, three of them one booking's: by key they take three records' time, in order. */
async function probeParallelByKey(fn: LambdaFunction): Promise<Finding[]> {
  const intendedAt = Date.now();
  const keys = ['BK-A', 'BK-A', 'BK-A', 'BK-B', 'BK-C', 'BK-D'];
  const result = await fn.invoke(kafkaEventOf(keys.map((key, seq) => ({ offset: seq, value: booking(seq, key, intendedAt) }))));
  const overlap: Finding = { name: 'records of different bookings overlap in the handler', pass: false };
  const order: Finding = { name: "a booking's records stay in order", pass: false };
  if (result.outcome !== 'ok') {
    overlap.measured = order.measured = `a batch of 6 bookings, parallel-by-key: the invocation ${invocationText(result)}`;
    return [overlap, order];
  }
  const sequentialMs = keys.length * WORK_MS;
  overlap.pass = result.durationMs < 0.75 * sequentialMs;
  overlap.measured = `6 records of 4 bookings at ${WORK_MS} ms each took ${Math.round(result.durationMs)} ms (one after another: ${sequentialMs} ms; by booking: ${3 * WORK_MS} ms)`;

  const report = result.logs.map((line) => readBatchReport(line.json)).find((r) => r !== undefined);
  const doneAt = [0, 1, 2].map((seq) => report?.processed.find((p) => p.seq === seq)?.endToEndMs);
  if (doneAt.some((ms) => ms === undefined)) {
    order.measured = 'the "batch processed" log line did not list booking BK-A\'s three records as processed';
    return [overlap, order];
  }
  const [first, second, third] = doneAt as number[];
  order.pass = second - first >= 0.8 * WORK_MS && third - second >= 0.8 * WORK_MS;
  order.measured = `booking BK-A's three records finished at ${Math.round(first)}, ${Math.round(second)} and ${Math.round(third)} ms: ${order.pass ? 'one after another' : `they overlapped; each must wait for the one before (${WORK_MS} ms of work each)`}`;
  return [overlap, order];
}

/**
 * Booking BK-A's three records and BK-B's one, every write failing: BK-A's later two must not run
 * (a retry of the first would otherwise land after them), and are failed unprocessed instead.
 */
async function probeFailedBooking(fn: LambdaFunction): Promise<Finding> {
  const intendedAt = Date.now();
  const keys = ['BK-A', 'BK-A', 'BK-A', 'BK-B'];
  const result = await fn.invoke(kafkaEventOf(keys.map((key, seq) => ({ offset: seq, value: booking(seq, key, intendedAt) }))));
  const finding: Finding = { name: "a failed booking's later records are not run", pass: false };
  const report = result.logs.map((line) => readBatchReport(line.json)).find((r) => r !== undefined);
  if (!report) {
    finding.measured = `a batch of 4 whose every write fails: the invocation ${invocationText(result)} and wrote no "batch processed" line`;
    return finding;
  }
  const ran = (seq: number) => report.failed.some((f) => f.seq === seq && ranBeforeFailing(f.reason)) || report.processed.some((p) => p.seq === seq);
  const laterRan = [1, 2].filter(ran);
  finding.pass = ran(0) && ran(3) && laterRan.length === 0;
  finding.measured = `booking BK-A's 3 records and BK-B's 1, every write failing: ${
    laterRan.length === 0
      ? "BK-A's 2nd and 3rd were left unprocessed (retried after the 1st)"
      : `BK-A's ${laterRan.map((s) => (s === 1 ? '2nd' : '3rd')).join(' and ')} ran after the 1st had failed: its retry would land after them`
  }${ran(3) ? '' : "; BK-B's record was not run at all"}`;
  return finding;
}
