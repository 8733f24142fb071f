// Readable failures: each gives one sentence (a SandboxError) naming the cause and the fix, and
// leaves no process behind.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startElasticMq } from '../../sandbox/elasticmq.ts';
import { SandboxError } from '../../sandbox/errors.ts';
import { freePort } from '../../sandbox/free-port.ts';
import { detectPlatform, installHint } from '../../sandbox/install-hints.ts';
import { findJava } from '../../sandbox/jars.ts';
import { startKafka } from '../../sandbox/kafka-broker.ts';
import { liveChildren } from '../../sandbox/process.ts';
import { rejection, sandboxChildPids } from './helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'workshop-sandbox-failures-'));
const servers: Server[] = [];

test.after(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(scratch, { recursive: true, force: true });
});

/** A SandboxError whose summary is one sentence on one line. */
function assertOneSentence(error: Error, ...patterns: RegExp[]): SandboxError {
  assert.instance(error, SandboxError, `${error.name}: ${error.message}`);
  const e = error as SandboxError;
  assert.is(e.name, 'SandboxError');
  assert.not.match(e.summary, /\n/, 'one line');
  assert.match(e.summary, /\.$/, 'a full sentence');
  for (const pattern of patterns) assert.match(e.summary, pattern);
  return e;
}

function assertNothingLeft(): void {
  assert.equal(liveChildren(), [], 'no child tracked');
  assert.equal(sandboxChildPids(), [], 'no sandbox process running');
}

/** An environment whose PATH has nothing (no java, no mvn) and no JAVA_HOME. */
function envWithout(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: join(scratch, 'empty-bin'), JAVA_HOME: '', ...extra };
  delete env.KAFKA_BROKERS;
  delete env.SQS_ENDPOINT;
  return env;
}

function occupy(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    servers.push(server);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

test('Java missing: Kafka names Java 17, apt-get and KAFKA_BROKERS', async () => {
  const error = await rejection(() => startKafka({ env: envWithout() }));
  assertOneSentence(
    error,
    /Java 17 or newer is needed/,
    /no `java` was found/,
    new RegExp(installHint('java', detectPlatform()).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
    /KAFKA_BROKERS=host:port/,
  );
  assertNothingLeft();
});

test('Java missing: ElasticMQ names SQS_ENDPOINT', async () => {
  const error = await rejection(() => startElasticMq({ env: envWithout() }));
  assertOneSentence(error, /Java 11 or newer is needed/, /SQS_ENDPOINT=http:\/\/host:port/);
  assertNothingLeft();
});

test('JAVA_HOME pointing nowhere is named', async () => {
  const error = await rejection(() => startKafka({ env: envWithout({ JAVA_HOME: '/nonexistent/jdk' }) }));
  assertOneSentence(error, /JAVA_HOME=\/nonexistent\/jdk has no bin\/java/);
});

test('jars not cached and the repository unreachable: one sentence naming the URL, the mirror variable and KAFKA_BROKERS; no Maven needed', async () => {
  // PATH holds java and nothing else (no mvn); the mirror is a closed loopback port.
  const bin = join(scratch, 'java-only-bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(findJava('kafka').path, join(bin, 'java'));
  const deadPort = await freePort();
  const cacheRoot = join(scratch, 'empty-cache');
  const started = Date.now();
  const error = await rejection(() => startKafka({ env: envWithout({ PATH: bin, WORKSHOP_MAVEN_MIRROR: `http://127.0.0.1:${deadPort}/maven2` }), cacheRoot }));
  console.log(`  failing fetch took ${Date.now() - started} ms: ${(error as SandboxError).summary}`);
  assertOneSentence(
    error,
    /^Could not fetch the Kafka \d+\.\d+\.\d+ jars: /,
    new RegExp(`http://127\\.0\\.0\\.1:${deadPort}/maven2/\\S+\\.jar failed with .*ECONNREFUSED`),
    /after 5 tries/,
    /WORKSHOP_MAVEN_MIRROR=http:\/\/127\.0\.0\.1:\d+\/maven2\//,
    /run the command again to resume/,
    /set KAFKA_BROKERS=host:port/,
  );
  const jars = readdirSync(cacheRoot, { recursive: true }).filter((name) => String(name).endsWith('.jar'));
  assert.equal(jars, [], 'no jar under its final name');
  assertNothingLeft();
});

test('a taken Kafka port is named with the fix', async () => {
  const port = await occupy();
  const error = await rejection(() => startKafka({ ignoreEnv: true, port }));
  assertOneSentence(error, new RegExp(`Port 127\\.0\\.0\\.1:${port} for the Kafka broker is already in use`), /leave the port unset/);
  assertNothingLeft();
});

test('a taken ElasticMQ port is named with the fix', async () => {
  const port = await occupy();
  const error = await rejection(() => startElasticMq({ ignoreEnv: true, port }));
  assertOneSentence(error, new RegExp(`Port 127\\.0\\.0\\.1:${port} for the ElasticMQ server is already in use`));
  assertNothingLeft();
});

test('a broker that never becomes ready (tiny timeout) is stopped and its log tail shown', async () => {
  const error = await rejection(() => startKafka({ ignoreEnv: true, readyTimeoutMs: 300 }));
  const e = assertOneSentence(error, /did not answer an admin request within 0\.3 s, so it was stopped/, /raise readyTimeoutMs/, /broker\.log/);
  assert.ok(e.detail, 'the log tail is attached');
  assert.match(e.message, /last lines of .*broker\.log|is empty/);
  const dataDir = /read its log (.*)\/broker\.log/.exec(e.summary)?.[1];
  assert.ok(dataDir && !existsSync(dataDir), 'the temp data dir was removed');
  assertNothingLeft();
});

test('KAFKA_BROKERS pointing at nothing says so', async () => {
  const port = await freePort();
  const error = await rejection(() => startKafka({ env: { ...process.env, KAFKA_BROKERS: `127.0.0.1:${port}` }, readyTimeoutMs: 1_000 }));
  assertOneSentence(error, new RegExp(`KAFKA_BROKERS=127\\.0\\.0\\.1:${port} did not answer`), /unset KAFKA_BROKERS/);
});

test('SQS_ENDPOINT pointing at nothing says so', async () => {
  const port = await freePort();
  const error = await rejection(() => startElasticMq({ env: { ...process.env, SQS_ENDPOINT: `http://127.0.0.1:${port}` }, readyTimeoutMs: 1_000 }));
  assertOneSentence(error, /SQS_ENDPOINT=http:\/\/127\.0\.0\.1:\d+ did not answer/, /unset SQS_ENDPOINT/);
});

test.run();
