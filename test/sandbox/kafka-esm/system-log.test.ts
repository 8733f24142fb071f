// LoggingConfig.SystemLogLevel: the mapping's own lines, at the configured level and above, in
// its own `YYYY/MM/DD/<uuid>` stream, shaped as AWS's examples (esm-logging.html).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type EsmLogRecord, esmLogStreamName, parseEsmLogRecord, type SystemLogLevel, writesAtLevel } from '../../../labs/esm-system-log.ts';
import { FakeClock } from '../../../sandbox/clock.ts';
import { KafkaEsmEngine } from '../../../sandbox/kafka-esm/engine.ts';
import { AWS_DEFAULT_FAILURE_RULES } from '../../../sandbox/kafka-esm/failure-policy.ts';
import { ProvisionedScaling } from '../../../sandbox/kafka-esm/poller-scaling.ts';
import { EsmSystemLog } from '../../../sandbox/kafka-esm/system-log.ts';
import { record, settle } from './records.ts';

const T0 = Date.UTC(2026, 11, 5, 10, 30, 0);
const CONNECTION = {
  brokers: ['127.0.0.1:9092', '127.0.0.1:9093'],
  topic: 'bookings',
  groupId: 'u-1',
  totalPartitionCount: 4,
  securityProtocol: 'PLAINTEXT',
  saslMechanism: null,
};

function systemLog(level: SystemLogLevel) {
  const clock = new FakeClock(T0);
  const lines: Array<{ text: string; logStreamName: string; record: EsmLogRecord }> = [];
  const log = new EsmSystemLog({
    level,
    uuid: 'u-1',
    resourceArn: 'arn:aws:lambda:us-east-1:000000000000:event-source-mapping:u-1',
    eventSourceArn: 'arn:aws:kafka:cluster',
    clock,
    write: (l) => lines.push(l),
  });
  return { clock, lines, log };
}

function writeOneOfEach(log: EsmSystemLog): void {
  log.pollersAssigned([['bookings-0', 'bookings-1']], CONNECTION);
  log.offsets([{ poller: 0, partition: 'bookings-0', endOffset: 5004, consumedOffset: 5003, processedOffset: 5003, committedOffset: 5004 }]);
  log.warning('Timeout expired while fetching topic metadata', 'org.apache.kafka.common.errors.TimeoutException');
}

test('DEBUG is the most detail and WARN the least: a level writes itself and everything less detailed', () => {
  const types = (level: SystemLogLevel) => {
    const h = systemLog(level);
    writeOneOfEach(h.log);
    return h.lines.map((l) => l.record.eventType);
  };
  assert.equal(types('DEBUG'), ['POLLER_STATUS_EVENT', 'KAFKA_STATUS_EVENT', 'ESM_PROCESSING_EVENT']);
  assert.equal(types('INFO'), ['POLLER_STATUS_EVENT', 'ESM_PROCESSING_EVENT']);
  assert.equal(types('WARN'), ['ESM_PROCESSING_EVENT']);
  assert.ok(writesAtLevel('INFO', 'ESM_PROCESSING_EVENT'));
  assert.not.ok(writesAtLevel('INFO', 'KAFKA_STATUS_EVENT'));
});

test("every line goes to the mapping's own stream, date then UUID, with the common fields AWS documents", () => {
  const h = systemLog('DEBUG');
  writeOneOfEach(h.log);
  assert.is(esmLogStreamName('u-1', T0), '2026/12/05/u-1');
  for (const line of h.lines) {
    assert.is(line.logStreamName, '2026/12/05/u-1');
    const parsed = parseEsmLogRecord(line.text)!;
    assert.equal(Object.keys(parsed).slice(0, 6), ['eventType', 'timestamp', 'resourceArn', 'eventSourceArn', 'eventProcessorId', 'logLevel']);
    assert.is(parsed.timestamp, T0);
    assert.is(parsed.eventProcessorId, 'u-1/0');
  }
  const [info, debug, warn] = h.lines.map((l) => l.record);
  // As esm-logging.html's example: the brokers as one string, the protocol and mechanism named,
  // the group the mapping's UUID.
  assert.equal(info.kafkaEventSourceConnection, {
    brokerEndpoints: '127.0.0.1:9092,127.0.0.1:9093',
    securityProtocol: 'PLAINTEXT',
    saslMechanism: null,
    consumerId: 'u-1-0',
    topics: ['bookings'],
    consumerGroupId: 'u-1',
    totalPartitionCount: 4,
    assignedPartitionCount: 2,
    partitionsAssignmentGeneration: 1,
    assignedPartitions: ['bookings-0', 'bookings-1'],
  });
  assert.equal(debug.kafkaPartitionOffsets, { partition: 'bookings-0', endOffset: 5004, consumedOffset: 5003, processedOffset: 5003, committedOffset: 5004 });
  assert.equal(warn.error, { errorMessage: 'Timeout expired while fetching topic metadata', errorCode: 'org.apache.kafka.common.errors.TimeoutException' });
  assert.is(parseEsmLogRecord('{"processed":[]}'), undefined, "a function's own line is not a system log line");
});

test("a rebalance writes each poller's new assignment with the next generation; commit failures are WARN lines", async () => {
  const clock = new FakeClock(T0);
  const lines: EsmLogRecord[] = [];
  const log = new EsmSystemLog({ level: 'INFO', uuid: 'u-1', resourceArn: 'arn', eventSourceArn: 'cluster', clock, write: (l) => lines.push(l.record) });
  let failCommit = true;
  const scaling = new ProvisionedScaling(1, 2, 8);
  const keys = Array.from({ length: 8 }, (_, p) => `bookings-${p}`);
  const engine: KafkaEsmEngine = new KafkaEsmEngine(
    { batchSize: 1, windowMs: 0, failure: AWS_DEFAULT_FAILURE_RULES, matches: () => true },
    scaling,
    {
      invoke: () => new Promise((resolve) => clock.after(3000, () => resolve({ kind: 'success', response: null }))),
      commit: async () => {
        if (failCommit) {
          failCommit = false;
          throw new Error('The coordinator is loading');
        }
      },
      onRebalanced: () => log.pollersAssigned(engine.assignments(), CONNECTION),
      onWarning: (message, code, poller) => log.warning(message, code, poller),
    },
    clock,
  );
  engine.knowPartitions(keys);
  log.pollersAssigned(engine.assignments(), CONNECTION);
  engine.push(keys.flatMap((_, p) => [record(p, 0, 0), record(p, 1, 0)]));
  for (let i = 0; i < 200; i++) {
    clock.advance(50);
    await settle(3);
  }
  const status = lines.filter((l) => l.eventType === 'POLLER_STATUS_EVENT');
  assert.equal(status[0].kafkaEventSourceConnection!.assignedPartitions, keys, 'one poller at first: every partition');
  const generations = [...new Set(status.map((l) => l.kafkaEventSourceConnection!.partitionsAssignmentGeneration))];
  assert.equal(generations, [1, 2], '8 ready partitions, 5 invocations per poller: scaled from 1 to 2 pollers, one rebalance');
  assert.equal(
    status.filter((l) => l.kafkaEventSourceConnection!.partitionsAssignmentGeneration === 2).map((l) => l.kafkaEventSourceConnection!.assignedPartitionCount),
    [4, 4],
  );
  const warnings = lines.filter((l) => l.eventType === 'ESM_PROCESSING_EVENT');
  assert.is(warnings.length, 1);
  assert.match(warnings[0].error!.errorMessage, /commit failed: The coordinator is loading/);
  await engine.stop();
});

test.run();
