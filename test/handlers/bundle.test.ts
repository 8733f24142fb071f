import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bundleAllHandlers, bundleHandler, bundleHandlerSync, HANDLER_NAMES, type HandlerName } from '../../handlers/bundle.ts';
import { withEnv } from './support/env.ts';
import { AWS_SAMPLE_MSK_EVENT, bookingValue, kafkaEvent, kafkaRecord } from './support/events.ts';
import { captureStdout, logLines, metricValues } from './support/stdout.ts';

const OUT = resolve(dirname(fileURLToPath(import.meta.url)), '../../.build/test-bundles');
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

test.before(() => rmSync(OUT, { recursive: true, force: true }));
test.after(() => rmSync(OUT, { recursive: true, force: true }));

test('all five handlers bundle into .mjs files with matching hashes', async () => {
  const results = await bundleAllHandlers({ outRoot: OUT, force: true });
  assert.equal(
    results.map((r) => r.name),
    [...HANDLER_NAMES],
  );
  for (const result of results) {
    assert.ok(result.rebuilt);
    assert.is(result.file, join(OUT, result.name, 'index.mjs'));
    assert.is(result.dir, join(OUT, result.name));
    assert.is(result.sha256, sha256(result.file));
    const code = readFileSync(result.file, 'utf8');
    assert.not.match(code, /from ['"]kafkajs['"]/, 'kafkajs is bundled, not imported');
  }
  const forwarder = readFileSync(join(OUT, 'sqs-forwarder', 'index.mjs'), 'utf8');
  assert.not.match(forwarder, /from ["']@aws-sdk\//, 'the AWS SDK is bundled too');
});

test('unchanged inputs reuse the bundle; a damaged bundle is rebuilt', async () => {
  const first = await bundleHandler('booking-processor', { outRoot: OUT });
  const again = await bundleHandler('booking-processor', { outRoot: OUT });
  assert.not.ok(again.rebuilt);
  assert.is(again.sha256, first.sha256);
  const sync = bundleHandlerSync('booking-processor', { outRoot: OUT });
  assert.not.ok(sync.rebuilt);
  assert.is(sync.sha256, first.sha256);

  writeFileSync(first.file, '// tampered\n');
  const repaired = bundleHandlerSync('booking-processor', { outRoot: OUT });
  assert.ok(repaired.rebuilt);
  assert.is(repaired.sha256, first.sha256, 'the same inputs give the same bytes');
  assert.ok(existsSync(join(OUT, 'booking-processor.inputs.json')), 'the build record sits outside the artifact folder');
});

test('the built booking processor loads and handles a real batch', async () => {
  const { file } = await bundleHandler('booking-processor', { outRoot: OUT });
  const built = await import(pathToFileURL(file).href);
  const event = kafkaEvent([kafkaRecord('bookings', 0, 1, bookingValue({ seq: 1, intendedAt: Date.now() - 20 }))]);
  event.records['mytopic-0'] = AWS_SAMPLE_MSK_EVENT.records['mytopic-0'];
  const run = await withEnv({ REPORT_BATCH_ITEM_FAILURES: 'true', PROCESSING_MS_PER_RECORD: '2', PROCESSING_MODE: 'parallel-by-key' }, () =>
    captureStdout(() => built.handler(event)),
  );
  assert.is(run.error, undefined);
  assert.equal(run.result, { batchItemFailures: [{ itemIdentifier: { partition: 'mytopic-0', offset: 15 } }] });
  assert.is(logLines(run.lines, 'batch processed')[0].processed[0].seq, 1);
  assert.is(metricValues(run.lines, 'EndToEndDuration').length, 1);
});

test('every built handler module loads and exports a handler', async () => {
  for (const name of HANDLER_NAMES) {
    const { file } = await bundleHandler(name, { outRoot: OUT });
    const built = await import(pathToFileURL(file).href);
    assert.type(built.handler, 'function', name);
  }
});

test('an unknown handler name is refused with the valid names', () => {
  assert.throws(() => bundleHandlerSync('nope' as HandlerName, { outRoot: OUT }), /use one of producer, booking-processor/);
});

test.run();
