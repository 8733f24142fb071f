// The stacks the policy tests judge: one synth of the app, the base stack with a provisioned
// cluster (the only place an aws_msk_cluster exists), and lab 4 with each other on-failure
// destination kind (kafka://, SNS, S3).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LABS } from '../../labs/index.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import { DEFAULT_PREFIX } from '../../labs/participant.ts';
import { buildWorkshopApp } from '../../labs/stacks.ts';
import { Testing } from '../../modules/cdk-terrain.ts';
import { synthWorkshop } from '../stacks/synth-once.ts';
import { SCHEMA_REGISTRY_LAB } from '../support/schema-registry-lab.ts';
import type { TfJson } from './rules.ts';

export interface NamedStack {
  name: string;
  tf: TfJson;
}

export const KAFKA_DESTINATION_LAB: LabSpec = {
  ...LABS[3],
  kafkaEsm: { ...LABS[3].kafkaEsm, onFailure: { kind: 'kafka', topic: 'bookings-failed' } },
};

/** Lab 4 with each other destination kind AWS takes for Kafka: SNS and S3. */
export const OTHER_DESTINATION_LABS: LabSpec[] = [
  { ...LABS[3], kafkaEsm: { ...LABS[3].kafkaEsm, onFailure: { kind: 'sns', topicName: 'bookings-failed' } } },
  { ...LABS[3], kafkaEsm: { ...LABS[3].kafkaEsm, onFailure: { kind: 's3', bucketName: 'bookings-failed' } } },
];

/** Every stack the policy tests judge, named with the participant prefix `prefix`. */
export function realStacks(prefix = DEFAULT_PREFIX): NamedStack[] {
  const synthed = synthWorkshop(LABS, prefix);
  const dir = mkdtempSync(join(tmpdir(), 'klw-policy-'));
  const provisioned = buildWorkshopApp({
    labs: LABS,
    outdir: join(dir, 'out'),
    stateDir: join(dir, 'state'),
    region: 'eu-west-1',
    clusterMode: 'provisioned',
    prefix,
  });
  const kafkaDestination = buildWorkshopApp({
    labs: [KAFKA_DESTINATION_LAB],
    outdir: join(dir, 'out-kafka'),
    stateDir: join(dir, 'state'),
    region: 'eu-west-1',
    prefix,
  });
  return [
    ...synthed.all.map((s) => ({ name: s.name, tf: s.tf as TfJson })),
    { name: 'base (provisioned cluster)', tf: JSON.parse(Testing.synth(provisioned.base)) as TfJson },
    { name: 'lab-04-best-practices (kafka:// destination)', tf: JSON.parse(Testing.synth(kafkaDestination.labs[0])) as TfJson },
    ...OTHER_DESTINATION_LABS.map((lab, i) => {
      const app = buildWorkshopApp({ labs: [lab], outdir: join(dir, `out-${i}`), stateDir: join(dir, 'state'), region: 'eu-west-1', prefix });
      return { name: `lab-04-best-practices (${lab.kafkaEsm.onFailure!.kind} destination)`, tf: JSON.parse(Testing.synth(app.labs[0])) as TfJson };
    }),
  ];
}

/** The base stack of an app with a schema registry lab: its producer may look up the booking schema. */
export function schemaRegistryBase(prefix = DEFAULT_PREFIX): NamedStack {
  const dir = mkdtempSync(join(tmpdir(), 'klw-policy-registry-'));
  const app = buildWorkshopApp({
    labs: [...LABS],
    outdir: join(dir, 'out'),
    stateDir: join(dir, 'state'),
    region: 'eu-west-1',
    prefix,
  });
  return { name: `base (with lab ${SCHEMA_REGISTRY_LAB.number}'s schema registry)`, tf: JSON.parse(Testing.synth(app.base)) as TfJson };
}
