// Each built bundle starts, and does its first real work, with nothing but Node.js resolvable:
// copied to a folder outside the repository with no node_modules above it and run by a fresh
// Node.js process, as Lambda runs it. AWS does not document which SDK packages nodejs22.x ships
// (handlers/bundle.ts), so none is assumed. The control case shows the test catches the defect: a
// bundle that leaves @aws-sdk/* to the runtime does not start there.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bundleHandler, HANDLER_NAMES, lambdaBuildOptions, nonBuiltinImports } from '../../handlers/bundle.ts';
import { bookingValue, kafkaEvent, kafkaRecord, sqsEventFromKafka } from './support/events.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = mkdtempSync(join(tmpdir(), 'klw-lambda-root-'));
const BUILD = join(ROOT, 'build');

/** Fake credentials: signing is local, and every endpoint below is a closed loopback port. */
const LAMBDA_ENV = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_METRICS_NAMESPACE: 'KafkaLambdaWorkshop',
};

// Imports the bundle given as argv[2] and calls `call` (argv[3]) with the JSON in argv[4]; prints
// one JSON line: what it returned, or the error's name, code and message.
const RUNNER = `
const [file, call, input] = process.argv.slice(2);
const out = (o) => process.stdout.write('\\n' + JSON.stringify(o) + '\\n');
try {
  const mod = await import(file);
  const value = call === 'exports' ? Object.keys(mod).sort() : await mod[call](JSON.parse(input));
  out({ ok: true, value });
} catch (e) {
  out({ ok: false, name: e?.name, code: e?.code, message: String(e?.message ?? e) });
}
`;

interface RunResult {
  ok: boolean;
  value?: any;
  name?: string;
  code?: string;
  message?: string;
  stdout: string;
}

function run(bundle: string, call: string, input: unknown = null, env: Record<string, string> = {}): RunResult {
  const child = spawnSync(process.execPath, [join(ROOT, 'runner.mjs'), bundle, call, JSON.stringify(input)], {
    cwd: dirname(bundle),
    // Only what Lambda would set: no NODE_PATH, no NODE_OPTIONS (tsx's loader), no PATH to node_modules.
    env: { PATH: '/usr/bin:/bin', HOME: ROOT, ...LAMBDA_ENV, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const last = child.stdout.trim().split('\n').pop() ?? '';
  try {
    return { ...(JSON.parse(last) as RunResult), stdout: child.stdout };
  } catch {
    return { ok: false, message: `no result line (exit ${child.status}): ${child.stderr}`, stdout: child.stdout };
  }
}

/** A copy of the file in its own folder of the isolated root. */
function isolate(file: string, name: string): string {
  const dir = join(ROOT, name);
  mkdirSync(dir, { recursive: true });
  const target = join(dir, 'index.mjs');
  copyFileSync(file, target);
  return target;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const bundles = new Map<string, string>();

test.before(async () => {
  writeFileSync(join(ROOT, 'runner.mjs'), RUNNER);
  for (const name of HANDLER_NAMES) {
    const { file } = await bundleHandler(name, { outRoot: BUILD });
    bundles.set(name, isolate(file, name));
  }
});
test.after(() => rmSync(ROOT, { recursive: true, force: true }));

test('the isolated folder has no node_modules in it or above it', () => {
  for (let dir = ROOT; ; dir = dirname(dir)) {
    assert.not.ok(existsSync(join(dir, 'node_modules')), `${dir}/node_modules exists`);
    if (dirname(dir) === dir) break;
  }
  assert.not.ok(ROOT.startsWith(resolve(HERE, '../..')), 'outside the repository');
});

test('every handler bundle loads there and exports handler', () => {
  for (const name of HANDLER_NAMES) {
    const result = run(bundles.get(name)!, 'exports');
    assert.ok(result.ok, `${name}: ${result.name} ${result.message}`);
    assert.ok(result.value.includes('handler'), `${name} exports ${result.value}`);
  }
});

test('booking-processor handles a batch there', () => {
  const event = kafkaEvent([kafkaRecord('bookings', 0, 1, bookingValue({ seq: 1, intendedAt: Date.now() }))]);
  const result = run(bundles.get('booking-processor')!, 'handler', event, { PROCESSING_MS_PER_RECORD: '0', REPORT_BATCH_ITEM_FAILURES: 'true' });
  assert.ok(result.ok, result.message);
  assert.equal(result.value, { batchItemFailures: [] });
  assert.match(result.stdout, /"batch processed"/);
});

test('sqs-processor handles a batch there', () => {
  const event = sqsEventFromKafka([{ partition: 0, offset: 1, value: Buffer.from(bookingValue({ seq: 1, intendedAt: Date.now() })) }]);
  const result = run(bundles.get('sqs-processor')!, 'handler', event, { PROCESSING_MS_PER_RECORD: '0' });
  assert.ok(result.ok, result.message);
  assert.equal(result.value, { batchItemFailures: [] });
});

test('sqs-forwarder runs its bundled SDK there: the send reaches the network and is refused', async () => {
  const port = await closedPort();
  const event = kafkaEvent([kafkaRecord('bookings', 0, 1, bookingValue({ seq: 1 }))]);
  const result = run(bundles.get('sqs-forwarder')!, 'handler', event, {
    SQS_ENDPOINT: `http://127.0.0.1:${port}`,
    QUEUE_URL: `http://127.0.0.1:${port}/123456789012/bookings-buffer`,
    SQS_SEND_MAX_ATTEMPTS: '1',
  });
  assert.not.ok(result.ok);
  assert.is(result.name, 'ForwardingFailedError', result.message);
  assert.match(result.stdout, /ECONNREFUSED/, 'the SDK got as far as opening a connection');
  assert.not.match(result.stdout + result.message, /ERR_MODULE_NOT_FOUND|Cannot find (package|module)/);
});

test('the MSK IAM signer, built like a handler, signs a token there (producer and topic-admin)', () => {
  const entry = join(HERE, 'fixtures', 'msk-iam-token.ts');
  const outfile = join(BUILD, 'msk-iam-token', 'index.mjs');
  const built = buildSync({ ...lambdaBuildOptions(entry, outfile), logLevel: 'silent' });
  assert.equal(nonBuiltinImports(built.metafile), []);
  const result = run(isolate(outfile, 'msk-iam-token'), 'signToken', null, { KAFKA_BROKERS: 'b-1.example:9098', KAFKA_AUTH: 'iam' });
  assert.ok(result.ok, `${result.name} ${result.message}`);
  const url = Buffer.from(result.value as string, 'base64url').toString('utf8');
  assert.match(url, /^https:\/\/kafka\.eu-west-1\.amazonaws\.com\/\?Action=kafka-cluster%3AConnect/);
  assert.match(url, /X-Amz-Credential=AKIAIOSFODNN7EXAMPLE/);
});

test('control: a forwarder that leaves @aws-sdk/* to the runtime does not start there', () => {
  const outfile = join(BUILD, 'forwarder-sdk-external', 'index.mjs');
  const built = buildSync({ ...lambdaBuildOptions(join(HERE, '../../handlers/sqs-forwarder.ts'), outfile), external: ['@aws-sdk/*'], logLevel: 'silent' });
  assert.equal(nonBuiltinImports(built.metafile), ['@aws-sdk/client-sqs']);
  const result = run(isolate(outfile, 'forwarder-sdk-external'), 'exports');
  assert.not.ok(result.ok);
  assert.is(result.code, 'ERR_MODULE_NOT_FOUND');
  assert.match(result.message!, /@aws-sdk\/client-sqs/);
});

test.run();
