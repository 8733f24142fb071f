// A LabSpec with every optional part a spec can have (lab 3's buffer plus provisioned pollers in
// a poller group, two filters, unlimited retries, an on-failure destination, SQS pollers and
// reserved concurrency) that validateLabSpec still accepts: what the diagram tests draw beyond
// the four labs.
import { LABS } from '../../labs/index.ts';
import { type LabSpec, type OnFailureDestination, validateLabSpec } from '../../labs/lab-spec.ts';

const lab3 = LABS[2];

export function everyPart(onFailure: OnFailureDestination = { kind: 'sns', topicName: 'bookings-failed' }): LabSpec {
  return validateLabSpec({
    ...lab3,
    kafkaEsm: {
      ...lab3.kafkaEsm,
      provisionedPollers: { minimum: 1, maximum: 3, pollerGroupName: 'bookings-group' },
      filters: [{ value: { status: ['CONFIRMED', 'PENDING'] } }, { value: { amount: [{ numeric: ['>', 100] }] } }],
      maximumRetryAttempts: -1,
      maximumRecordAgeSeconds: 600,
      bisectBatchOnFunctionError: true,
      onFailure,
    },
    processor: { ...lab3.processor, reservedConcurrency: 50 },
    sqsBuffer: { ...lab3.sqsBuffer!, batchingWindowSeconds: undefined, maximumConcurrency: undefined, provisionedPollers: { minimum: 2, maximum: 10 } },
  });
}
