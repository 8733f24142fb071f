// Every on-failure destination kind AWS takes for Kafka, on the real broker (and ElasticMQ for
// SNS's subscribed queue), through the CLI as a participant runs it: lab 4's poison events end in
// the destination, the harness reads them back from it, and the accounting is exact.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { OnFailureDestination } from '../../labs/lab-spec.ts';
import { runJson } from '../harness/e2e/support.ts';

const DESTINATIONS: OnFailureDestination[] = [
  { kind: 'sns', topicName: 'bookings-failed' },
  { kind: 's3', bucketName: 'bookings-failed' },
  { kind: 'kafka', topic: 'bookings-failed' },
];

for (const destination of DESTINATIONS) {
  test(`lab 4 with an ${destination.kind} destination: every poison event dead-lettered there, nothing lost`, async () => {
    const { run, report } = await runJson(['run', '4', '--quick', '--set', `kafkaEsm.onFailure=${JSON.stringify(destination)}`]);
    const [lab] = report.labs;
    assert.ok(run.code === 0 || run.code === 1, `the run completed (exit ${run.code}):\n${run.stdout.slice(-1500)}${run.stderr.slice(-1500)}`);
    assert.ok(lab.deadLettered > 0, `poison events were dead-lettered (${lab.deadLettered})`);
    assert.is(lab.lost, 0);
    assert.is(lab.published, lab.processed + lab.filtered + lab.deadLettered, 'published = processed + filtered + dead-lettered');
    assert.is(lab.esmMetrics?.OnFailureDestinationDeliveredEventCount, lab.deadLettered, 'the destination holds exactly the records the mapping delivered');
  });
}

test.run();
