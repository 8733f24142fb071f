// Before a run on AWS: a mapping AWS reports a PROBLEM for stops the run with AWS's message and
// the likely fix (it used to pass as long as State was Enabled, and the run then reported every
// event lost), and the run waits until a probe event has been processed (a new LATEST mapping
// skips what is published before its pollers join). Clients mocked with aws-sdk-client-mock; the
// wait runs on a fake clock.

import { CloudWatchLogsClient, FilterLogEventsCommand, type FilterLogEventsCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import { GetEventSourceMappingCommand, InvokeCommand, type InvokeCommandInput, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ProducerPayload } from '../../handlers/producer.ts';
import { summarizeDelays } from '../../handlers/shared/publish.ts';
import { bookingSchedule } from '../../handlers/shared/schedule.ts';
import { UsageError } from '../../harness/errors.ts';
import { AwsTarget } from '../../harness/targets/aws.ts';
import { awaitFirstProcessed, probeProfile } from '../../harness/targets/aws-readiness.ts';
import { mappingProblem } from '../../labs/esm-health.ts';
import { LABS } from '../../labs/index.ts';
import { batchLineMessage, deployedKafkaEsm, deployedOutputsFor, deployedSqsEsm, jsonBytes, noSleep } from './support/aws-fixtures.ts';

const [baseline, , sqsBuffer, bestPractices] = LABS;
const lambda = mockClient(LambdaClient);
const logs = mockClient(CloudWatchLogsClient);

function fakeClock(start = Date.UTC(2026, 0, 1, 12)) {
  let now = start;
  return { now: () => now, sleep: async (ms: number) => void (now += ms) };
}

const probes: ProducerPayload[] = [];
function producerAnswers(): void {
  probes.length = 0;
  lambda.on(InvokeCommand).callsFake((input: InvokeCommandInput) => {
    const payload = JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array)) as ProducerPayload;
    probes.push(payload);
    const events = [...bookingSchedule(payload.profile, payload.startAtMs)];
    return {
      StatusCode: 200,
      Payload: jsonBytes({
        runId: payload.runId,
        topic: payload.topic,
        shard: payload.shard,
        published: events.length,
        poison: 0,
        failedToPublish: 0,
        firstSeq: 0,
        lastSeq: 0,
        sendDelayMs: summarizeDelays([0]),
      }),
    };
  });
}

/** The processor logs the probe runs whose index (last part of the runId) is in `processed`. */
function processorLogs(processed: number[]): void {
  logs.on(FilterLogEventsCommand).callsFake((input: FilterLogEventsCommandInput) => {
    const runId = /"(probe-[^"]+)"/.exec(input.filterPattern ?? '')?.[1] ?? '';
    const index = Number(runId.split('-').pop());
    if (!processed.includes(index)) return { events: [] };
    return { events: [{ eventId: `e-${runId}`, timestamp: Date.UTC(2026, 0, 1, 12), logStreamName: 's', message: batchLineMessage(runId, [{ seq: 0 }]) }] };
  });
}

const PROBLEMS: [string, RegExp][] = [
  [
    'PROBLEM: Connection error. Your event source VPC must be able to connect to Lambda and STS, Secrets Manager (if event source authentication is required), and the OnFailure Destination (if one is configured).',
    /interface endpoints for Lambda and STS/,
  ],
  ['PROBLEM: Connection error. Please check your event source connection configuration.', /port 9098 from itself/],
  ['PROBLEM: Cluster failed to authorize Lambda.', /kafka-cluster:DescribeTopic and ReadData on the topic ARN/],
  ['PROBLEM: SASL authentication failed.', /kafka-cluster:Connect on the cluster ARN/],
  ['PROBLEM: Lambda failed to assume your function execution role.', /STS interface endpoint/],
  ['PROBLEM: Something AWS has not documented yet.', /with-kafka-troubleshoot\.html/],
];

test("mappingProblem: each documented PROBLEM gets AWS's message and its fix; OK and a fresh mapping are fine", () => {
  for (const [result, fix] of PROBLEMS) {
    const text = mappingProblem({ ...deployedKafkaEsm(baseline), LastProcessingResult: result }, 'Kafka event source mapping', baseline.id)!;
    assert.ok(text.includes(`reports "${result}" (LastProcessingResult)`), text);
    assert.match(text, fix);
    assert.match(text, /is Enabled but reports/);
    assert.not.ok(text.includes('\n'));
  }
  for (const result of ['OK', 'No records processed', undefined]) {
    assert.is(mappingProblem({ ...deployedKafkaEsm(baseline), LastProcessingResult: result }, 'Kafka event source mapping', baseline.id), undefined);
  }
  const disabled = mappingProblem(
    { ...deployedKafkaEsm(baseline), State: 'Disabled', StateTransitionReason: 'EVENT_SOURCE_AUTHZ_ERROR' },
    'Kafka event source mapping',
    baseline.id,
  );
  assert.match(disabled!, /was disabled by Lambda because it is not authorized to read the topic or group \(EVENT_SOURCE_AUTHZ_ERROR/);
});

test('prepare: an Enabled mapping whose LastProcessingResult is a PROBLEM stops the run before anything is published', async () => {
  lambda.reset();
  producerAnswers();
  lambda.on(GetEventSourceMappingCommand).resolves({ ...deployedKafkaEsm(baseline), LastProcessingResult: PROBLEMS[0][0] });
  const target = new AwsTarget({ outputs: deployedOutputsFor(baseline), retry: { sleep: noSleep } });
  try {
    await target.prepare(baseline);
    assert.unreachable('expected a UsageError');
  } catch (error) {
    assert.instance(error, UsageError);
    assert.match(
      (error as Error).message,
      /^The Kafka event source mapping 11111111-2222-3333-4444-555555555555 is Enabled but reports "PROBLEM: Connection error\. Your event source VPC/,
    );
  } finally {
    await target.close();
  }
  assert.is(lambda.commandCalls(InvokeCommand).length, 0);
});

test("prepare: lab 3's SQS mapping is checked too", async () => {
  lambda.reset();
  lambda
    .on(GetEventSourceMappingCommand)
    .callsFake((input: { UUID: string }) =>
      input.UUID === deployedKafkaEsm(sqsBuffer).UUID
        ? deployedKafkaEsm(sqsBuffer)
        : { ...deployedSqsEsm(sqsBuffer), LastProcessingResult: 'PROBLEM: Function call failed' },
    );
  const target = new AwsTarget({ outputs: deployedOutputsFor(sqsBuffer), retry: { sleep: noSleep } });
  try {
    await target.prepare(sqsBuffer);
    assert.unreachable('expected a UsageError');
  } catch (error) {
    assert.match((error as Error).message, /The SQS event source mapping .* reports "PROBLEM: Function call failed"/);
  } finally {
    await target.close();
  }
});

test('prepare waits for a probe: the first is skipped (pollers not joined yet), the second is processed', async () => {
  lambda.reset();
  logs.reset();
  producerAnswers();
  processorLogs([1]);
  lambda.on(GetEventSourceMappingCommand).resolves({ ...deployedKafkaEsm(baseline), LastProcessingResult: 'No records processed' });
  const clock = fakeClock();
  const target = new AwsTarget({ outputs: deployedOutputsFor(baseline), now: clock.now, sleep: clock.sleep, retry: { sleep: noSleep } });
  const prepared = await target.prepare(baseline);
  assert.is(probes.length, 2, 'republished after a minute without a processed probe');
  for (const probe of probes) {
    assert.match(probe.runId, /^probe-01baseline-[a-z0-9]+-[01]$/);
    assert.equal(bookingSchedule(probe.profile, probe.startAtMs).next().value?.seq, 0);
    assert.is([...bookingSchedule(probe.profile, probe.startAtMs)].length, 1, 'one event per probe');
  }
  assert.ok(
    prepared.notes().some((n) => /the pipeline processed a probe event 60 s into preparing \(2 probe run\(s\) published\)/.test(n)),
    prepared.notes().join('\n'),
  );
  await target.close();
});

test("prepare: a PROBLEM appearing while it waits for the probe stops it with AWS's message", async () => {
  lambda.reset();
  logs.reset();
  producerAnswers();
  processorLogs([]);
  let reads = 0;
  lambda
    .on(GetEventSourceMappingCommand)
    .callsFake(() => ({ ...deployedKafkaEsm(baseline), LastProcessingResult: ++reads > 3 ? 'PROBLEM: SASL authentication failed.' : 'No records processed' }));
  const clock = fakeClock();
  const target = new AwsTarget({ outputs: deployedOutputsFor(baseline), now: clock.now, sleep: clock.sleep, retry: { sleep: noSleep } });
  try {
    await target.prepare(baseline);
    assert.unreachable('expected a UsageError');
  } catch (error) {
    assert.match((error as Error).message, /reports "PROBLEM: SASL authentication failed\." .* kafka-cluster:Connect on the cluster ARN/);
  } finally {
    await target.close();
  }
});

test('awaitFirstProcessed: gives up after the timeout with what to look at', async () => {
  const clock = fakeClock(0);
  let published = 0;
  try {
    await awaitFirstProcessed(
      '01-baseline',
      { publishProbe: async () => void published++, probeProcessed: async () => false, mappingProblem: async () => undefined, ...clock },
      { timeoutMs: 300_000 },
    );
    assert.unreachable('expected a UsageError');
  } catch (error) {
    assert.instance(error, UsageError);
    assert.match(
      (error as Error).message,
      /processed none of 5 probe event\(s\) within 5 minutes, and its mapping reports no problem: check the Kafka mapping/,
    );
  }
  assert.is(published, 5, 'one probe a minute');
});

test("probeProfile: an event the lab's filters keep (lab 4 keeps CONFIRMED only), never poison", () => {
  assert.equal(probeProfile(bestPractices).statusMix, { CONFIRMED: 1, PENDING: 0, CANCELLED: 0 });
  assert.is(probeProfile(baseline).poisonShare, 0);
  const dropAll = { ...bestPractices, kafkaEsm: { ...bestPractices.kafkaEsm, filters: [{ value: { status: ['NONE'] } }] } };
  assert.throws(() => probeProfile(dropAll), /filters drop bookings of every status/);
});

test.run();
