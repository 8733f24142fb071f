// `npm run synth` end to end (into a temporary folder): every stack written, in time, and an
// invalid lab stopping it with the validation message instead of a stack trace.

import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LABS } from '../../labs/index.ts';
import { type LabSpec, LabSpecError } from '../../labs/lab-spec.ts';
import { buildWorkshopApp, clusterModeFromEnv, workshopTopics } from '../../labs/stacks.ts';
import { runSynth, synthesize } from '../../labs/synth.ts';

const dir = mkdtempSync(join(tmpdir(), 'klw-synth-test-'));
const options = { outdir: join(dir, 'out'), stateDir: join(dir, 'state'), region: 'us-east-1' };

function capture(fn: () => number): { code: number; stdout: string; stderr: string } {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...args: unknown[]) => void out.push(args.join(' '));
  console.error = (...args: unknown[]) => void err.push(args.join(' '));
  try {
    return { code: fn(), stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

function brokenLab(): LabSpec {
  const lab = structuredClone(LABS[1]) as LabSpec;
  return { ...lab, kafkaEsm: { ...lab.kafkaEsm, batchSize: 0, batchingWindowSeconds: 301 } };
}

test('synthesizes the base and every lab stack, with zipped handler bundles, in well under 15 s', () => {
  const result = synthesize({ labs: LABS, ...options });
  assert.equal(result.stacks, ['base', ...LABS.map((l) => `lab-${l.id}`)]);
  for (const stack of result.stacks) {
    assert.ok(existsSync(join(options.outdir, 'stacks', stack, 'cdk.tf.json')), `${stack} written`);
    const assets = readdirSync(join(options.outdir, 'stacks', stack, 'assets'));
    assert.ok(assets.length > 0, `${stack} has function bundles`);
  }
  const seconds = (result.buildMs + result.writeMs) / 1000;
  assert.ok(seconds < 15, `took ${seconds.toFixed(2)} s`);
});

test('runSynth prints the stacks written and the time taken', () => {
  const { code, stdout } = capture(() => runSynth(LABS, options));
  assert.is(code, 0);
  assert.match(stdout, /stacks\/base\/cdk\.tf\.json/);
  assert.match(stdout, /Synthesized 6 stacks \(base, lab-01-baseline, .*\) in \d+\.\d\d s/);
});

test('an invalid lab fails the build with every problem, before any construct exists', () => {
  const error = (() => {
    try {
      buildWorkshopApp({ labs: [LABS[0], brokenLab()], ...options });
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.instance(error, LabSpecError);
  const message = (error as Error).message;
  assert.match(message, /Lab 02-low-latency is not a valid configuration/);
  assert.match(message, /kafkaEsm\.batchSize = 0: allowed a whole number from 1 to 10000/);
  assert.match(message, /kafkaEsm\.batchingWindowSeconds = 301/);
});

test('runSynth reports an invalid lab with the validation message and exit code 1, no stack trace', () => {
  const { code, stdout, stderr } = capture(() => runSynth([LABS[0], brokenLab()], { ...options, outdir: join(dir, 'invalid') }));
  assert.is(code, 1);
  assert.is(stdout, '');
  assert.match(stderr, /^Synth stopped: Lab 02-low-latency is not a valid configuration/);
  assert.match(stderr, /kafkaEsm\.batchSize = 0/);
  assert.match(stderr, /Fix labs\/02-low-latency\/spec\.ts/);
  assert.not.match(stderr, /\n\s+at /, 'no stack trace');
  assert.not.ok(existsSync(join(dir, 'invalid')), 'nothing written');
});

test('a lab with a kafka:// destination synthesizes: the pinned provider accepts it', () => {
  const lab4 = LABS[3];
  const kafkaDest: LabSpec = { ...lab4, kafkaEsm: { ...lab4.kafkaEsm, onFailure: { kind: 'kafka', topic: 'bookings-dlq' } } };
  const { code, stderr } = capture(() => runSynth([kafkaDest], { ...options, outdir: join(dir, 'kafka-dest') }));
  assert.is(code, 0, stderr);
  const stack = JSON.parse(readFileSync(join(dir, 'kafka-dest', 'stacks', 'lab-04-best-practices', 'cdk.tf.json'), 'utf8'));
  const [mapping] = Object.values(stack.resource.aws_lambda_event_source_mapping) as { destination_config: unknown }[];
  assert.equal(mapping.destination_config, { on_failure: { destination_arn: 'kafka://bookings-dlq' } });
});

test('two labs with one id are refused', () => {
  assert.throws(() => buildWorkshopApp({ labs: [LABS[0], LABS[0]], ...options }), /Two labs have the id "01-baseline"/);
});

test('topics: each named once with the largest partition count; Kafka destinations included', () => {
  const lab4 = LABS[3];
  const kafkaDest: LabSpec = { ...lab4, id: '05-kafka-dlq', kafkaEsm: { ...lab4.kafkaEsm, onFailure: { kind: 'kafka', topic: 'bookings-dlq' } } };
  const more: LabSpec = { ...LABS[0], id: '06-more', topic: { name: 'bookings', partitions: 24 } };
  assert.equal(workshopTopics([...LABS, kafkaDest, more]), [
    { name: 'bookings', partitions: 24 },
    { name: 'bookings-dlq', partitions: 12 },
  ]);
});

test('cluster mode: serverless by default, provisioned on request, anything else explained', () => {
  assert.is(clusterModeFromEnv({}), 'serverless');
  assert.is(clusterModeFromEnv({ WORKSHOP_CLUSTER_MODE: 'provisioned' }), 'provisioned');
  assert.throws(() => clusterModeFromEnv({ WORKSHOP_CLUSTER_MODE: 'big' }), /use serverless \(the default\) or provisioned/);
});

test.run();
