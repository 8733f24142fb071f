// Fault: the on-failure destination cannot be written (its queue deleted, as a missing permission
// or endpoint would refuse it).
//
// AWS (monitoring-metrics-types.html, OnFailureDestinationDeliveredEventCount): "If delivery to
// the destination fails [...] For the DroppedEventCount metric, Lambda emits a number equal to the
// number of events that failed delivery." The records are dropped and the mapping moves on; it
// does not block the partition. The harness counts them as dropped, a category of its own.

import { DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bookingSchedule } from '../../handlers/shared/schedule.ts';
import { DESTINATION_DELIVERY_ATTEMPTS } from '../../sandbox/kafka-esm/engine.ts';
import { labVariant, ledgerOf, RunObserver, reportFault, settle, sharedServers } from './support.ts';

const servers = sharedServers(test);

test('a destination that refuses every delivery: the poison records are dropped, counted as dropped, and the partitions move on', async () => {
  const lab = labVariant(4, 'fault-destination-gone', {
    traffic: { ratePerSec: 200, durationSec: 6, warmUpSec: 0, poisonShare: 0.02 },
    kafkaEsm: { onFailure: { kind: 'sqs', queueName: 'fault-destination-gone-failed' } },
  });
  const runId = 'fault-destination-gone';
  const observer = new RunObserver(runId);
  const sandbox = await servers.sandbox(lab, { onFiltered: observer.onFiltered, onDropped: observer.onDropped });
  observer.attach(sandbox);
  await sandbox.sqsClient()!.send(new DeleteQueueCommand({ QueueUrl: sandbox.queues.onFailure!.url }));
  observer.destinationGone = true;

  const produced = await sandbox.produce({ runId, startAtMs: Date.now() + 200, profile: lab.traffic });
  const ledger = await ledgerOf(sandbox, runId, produced.published);
  await settle(sandbox, observer, ledger, 90_000);

  const poison = [...bookingSchedule(lab.traffic, 0)].filter((e) => e.poison).map((e) => e.seq);
  assert.ok(poison.length > 5, `${poison.length} poison records`);
  assert.equal(
    [...observer.dropped].sort((a, b) => a - b),
    poison,
    'dropped = exactly the poison records',
  );
  assert.is(observer.deadLettered.size, 0, 'nothing reached the deleted queue');
  const counters = sandbox.snapshot().kafkaEsm.counters;
  assert.is(counters.DroppedEventCount, poison.length, 'DroppedEventCount = the events that failed delivery');
  assert.is(counters.OnFailureDestinationDeliveredEventCount, 0);
  assert.ok(
    counters.OnFailureDestinationDeliveryErrorCount >= DESTINATION_DELIVERY_ATTEMPTS &&
      counters.OnFailureDestinationDeliveryErrorCount % DESTINATION_DELIVERY_ATTEMPTS === 0,
    `${counters.OnFailureDestinationDeliveryErrorCount} delivery errors: ${DESTINATION_DELIVERY_ATTEMPTS} per failed delivery`,
  );
  assert.ok(sandbox.snapshot().kafkaEsm.offsetLag === 0, 'every partition committed to its end: a failed delivery does not block the partition');
  const accounting = observer.account(ledger);
  assert.is(accounting.dropped, poison.length);
  assert.is(accounting.duplicated, 0);
  reportFault({
    fault: 'on-failure destination deleted (lab 4, 2% poison)',
    accounting,
    duplicates: 'none: partial batch responses retry only the poison records',
    notes: [
      `${poison.length} poison records exhausted their retries; ${counters.OnFailureDestinationDeliveryErrorCount / DESTINATION_DELIVERY_ATTEMPTS} deliveries failed ${DESTINATION_DELIVERY_ATTEMPTS} times each (OnFailureDestinationDeliveryErrorCount ${counters.OnFailureDestinationDeliveryErrorCount}), so DroppedEventCount ${counters.DroppedEventCount}, OnFailureDestinationDeliveredEventCount 0`,
    ],
    aws: 'records that fail delivery to the destination are dropped (DroppedEventCount) and the mapping moves on (sandbox/MODEL.md, Faults: "on-failure destination unreachable")',
  });
});

test.run();
