// Fault: records the mapping cannot validate against the schema registry.
//
// Lab 4's pipeline with Avro bookings and the mapping decoding them (SchemaRegistryConfig,
// EventRecordFormat JSON), on the real broker and the sandbox's real registry: 2% of the bookings
// are framed with a schema id the registry does not have. AWS (services-consume-kafka-events.html):
// such a record is sent to the on-failure destination "with reason code SCHEMA_NOT_FOUND", never to
// the function, and counts in SchemaRegistryErrorCount; the filter then sees the decoded fields.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bookingSchedule } from '../../handlers/shared/schedule.ts';
import { labVariant, reportFault, sharedServers } from './support.ts';

const servers = sharedServers(test);

for (const eventRecordFormat of ['JSON', 'SOURCE'] as const) {
  const decodedBy = eventRecordFormat === 'JSON' ? 'the mapping' : "the function (Powertools' Kafka utility)";
  test(`${eventRecordFormat}: Avro bookings with unknown schema ids: exactly those are dead-lettered as SCHEMA_NOT_FOUND, uninvoked; the rest filtered on their decoded fields and processed, decoded by ${decodedBy}`, async () => {
    const topic = `fault-unknown-schema-${eventRecordFormat.toLowerCase()}`;
    const lab = labVariant(4, topic, {
      traffic: { ratePerSec: 200, durationSec: 6, warmUpSec: 0, poisonShare: 0.02, valueFormat: 'avro' },
      kafkaEsm: { onFailure: { kind: 'sqs', queueName: `${topic}-failed` }, schemaRegistry: { eventRecordFormat, validate: ['VALUE'] } },
    });
    const runId = topic;
    const { sandbox, observer, produced, ledger } = await servers.run(lab, runId, { settleMs: 90_000 });

    const schedule = [...bookingSchedule(lab.traffic, 0)];
    const poison = schedule.filter((e) => e.poison).map((e) => e.seq);
    const notConfirmed = schedule.filter((e) => !e.poison && e.status !== 'CONFIRMED').map((e) => e.seq);
    assert.is(produced.poison, poison.length);
    assert.ok(poison.length > 5, `${poison.length} records with an unknown schema id`);
    assert.equal(
      [...observer.deadLettered].sort((a, b) => a - b),
      poison,
      'dead-lettered = exactly the records with an unknown schema id',
    );
    assert.ok(
      observer.destinationMessages.every(
        (m) => m.requestContext.condition === 'SCHEMA_NOT_FOUND' && m.requestContext.approximateInvokeCount === 0 && m.responseContext === null,
      ),
      'each destination record: SCHEMA_NOT_FOUND, never invoked, no response',
    );
    assert.equal(
      [...observer.filtered].sort((a, b) => a - b),
      notConfirmed,
      'the filter on status saw the decoded Avro fields',
    );
    assert.ok(observer.invocations.length > 0);
    assert.equal(observer.failed, [], 'the function never saw a record it could not read');
    const counters = sandbox.snapshot().kafkaEsm.counters;
    assert.is(counters.SchemaRegistryErrorCount, poison.length);
    assert.is(counters.OnFailureDestinationDeliveredEventCount, poison.length);
    const accounting = observer.account(ledger);
    assert.is(accounting.duplicated, 0);
    reportFault({
      fault: `Avro bookings, 2% framed with an unknown schema id (lab 4 + SchemaRegistryConfig ${eventRecordFormat})`,
      accounting,
      duplicates: 'none: the failing records are never invoked',
      notes: [
        `${poison.length} records with an unknown schema id: SchemaRegistryErrorCount ${counters.SchemaRegistryErrorCount}, each sent to the SQS destination (condition SCHEMA_NOT_FOUND, approximateInvokeCount 0); ${accounting.filtered} bookings not confirmed filtered on their decoded status`,
      ],
      aws: 'a record whose schema the registry does not have goes to the on-failure destination with reason code SCHEMA_NOT_FOUND, uninvoked (sandbox/MODEL.md, Faults: "schema not found")',
    });
  });
}

// Lab 5's schema evolution, where it bites: halfway through, the producer writes with version 2
// of the booking schema (a new optional field). The mapping validates both versions, each by its
// id, but in SOURCE format the function decodes with version 1, the only schema it knows, so each
// version 2 booking it is handed fails, is retried and is dead-lettered (RetryAttemptsExhausted).
// JSON format reads both versions: the lab's own run shows it (test/harness/e2e/lessons.test.ts).
test("SOURCE: the schema evolves halfway: version 2 accepted, an incompatible version refused (409), and version 2's confirmed bookings fail in the function that knows version 1 and are dead-lettered after their retries", async () => {
  const topic = 'fault-schema-evolution-source';
  const lab = labVariant(4, topic, {
    traffic: { ratePerSec: 200, durationSec: 6, warmUpSec: 0, poisonShare: 0, valueFormat: 'avro', evolveSchemaAt: 0.5 },
    kafkaEsm: { onFailure: { kind: 'sqs', queueName: `${topic}-failed` }, schemaRegistry: { eventRecordFormat: 'SOURCE', validate: ['VALUE'] } },
  });
  const { sandbox, observer, produced, ledger } = await servers.run(lab, topic, { settleMs: 90_000 });

  const schedule = [...bookingSchedule(lab.traffic, 0)];
  const evolvesAt = 0.5 * lab.traffic.durationSec * 1000;
  const version2 = schedule.filter((e) => e.intendedAt >= evolvesAt);
  const version2Confirmed = version2.filter((e) => e.status === 'CONFIRMED').map((e) => e.seq);
  const evolution = produced.schemaEvolution;
  assert.ok(evolution, 'the producer reports its schema evolution step');
  assert.is(evolution!.writtenWithVersion2, version2.length, 'every booking due after the halfway mark written with version 2');
  assert.ok(typeof evolution!.version2SchemaId === 'number' && evolution!.version2SchemaId > 0, 'a Confluent schema id');
  assert.ok(evolution!.incompatibleChange.refused, `the incompatible version refused: ${evolution!.incompatibleChange.answer}`);
  assert.match(evolution!.incompatibleChange.answer, /^HTTP 409/);
  const counters = sandbox.snapshot().kafkaEsm.counters;
  assert.is(counters.SchemaRegistryErrorCount, 0, 'both versions validate against the registry');
  const accounting = observer.account(ledger);
  const deadLettered = [...observer.deadLettered].sort((a, b) => a - b);
  assert.equal(deadLettered, version2Confirmed, "dead-lettered = exactly version 2's confirmed bookings");
  assert.ok(
    observer.destinationMessages.every((m) => m.requestContext.condition === 'RetryAttemptsExhausted' && m.requestContext.approximateInvokeCount === 3),
    'each after the first try and its 2 retries',
  );
  reportFault({
    fault: 'the booking schema evolves halfway (version 2, a new optional field; lab 4 + SchemaRegistryConfig SOURCE)',
    accounting,
    duplicates: 'none',
    notes: [
      `version 2 registered as id ${evolution!.version2SchemaId}, ${evolution!.writtenWithVersion2} bookings written with it; the incompatible version: ${evolution!.incompatibleChange.answer}`,
      `${deadLettered.length} confirmed version 2 bookings failed in the function (it decodes with version 1 only) and were dead-lettered`,
    ],
    aws: 'JSON: the mapping decodes each record with the schema its id names; SOURCE: the function gets the Avro body and must know the writer\'s schema itself (sandbox/MODEL.md, Faults: "schema evolution")',
  });
});

test.run();
