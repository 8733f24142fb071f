// The lock generator (`npm run sandbox:lock`, sandbox/lock-jars.ts). The slow test runs Maven on
// every pom and checks against Maven Central's published checksums that the committed lock is
// what the poms resolve to today: about 20 s with a warm ~/.m2, a minute or two with a cold one
// (CI has Maven). Without mvn on PATH it says so and passes: the fetch itself never needs Maven.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SandboxError } from '../../sandbox/errors.ts';
import { findExecutable } from '../../sandbox/executables.ts';
import { freePort } from '../../sandbox/free-port.ts';
import { readLock } from '../../sandbox/jar-lock.ts';
import { generateLock, lockText, parseDependencyList } from '../../sandbox/lock-jars.ts';
import { liveChildren } from '../../sandbox/process.ts';
import { rejection } from './helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'workshop-jars-lock-'));
const hasMaven = findExecutable('mvn') !== null;

test.after(() => rmSync(scratch, { recursive: true, force: true }));

test('dependency:list lines become coordinates and repository paths; what a lock cannot hold is refused', () => {
  const listed = [
    'The following files have been resolved:',
    '   org.apache.kafka:kafka-clients:jar:4.4.0:compile:/home/me/.m2/repository/org/apache/kafka/kafka-clients/4.4.0/kafka-clients-4.4.0.jar -- module kafka.clients (auto)',
    '   io.netty:netty-transport-native-epoll:jar:linux-x86_64:4.1.118.Final:runtime:/r/io/netty/netty-transport-native-epoll/4.1.118.Final/netty-transport-native-epoll-4.1.118.Final-linux-x86_64.jar',
    '   io.apicurio:apicurio-registry-app:tar.gz:all:2.6.13.Final:compile:/r/io/apicurio/apicurio-registry-app/2.6.13.Final/apicurio-registry-app-2.6.13.Final-all.tar.gz',
    '',
  ].join('\n');
  assert.equal(parseDependencyList(listed, 'test'), [
    {
      coordinates: 'org.apache.kafka:kafka-clients:4.4.0',
      path: 'org/apache/kafka/kafka-clients/4.4.0/kafka-clients-4.4.0.jar',
      file: '/home/me/.m2/repository/org/apache/kafka/kafka-clients/4.4.0/kafka-clients-4.4.0.jar',
    },
    {
      coordinates: 'io.netty:netty-transport-native-epoll:jar:linux-x86_64:4.1.118.Final',
      path: 'io/netty/netty-transport-native-epoll/4.1.118.Final/netty-transport-native-epoll-4.1.118.Final-linux-x86_64.jar',
      file: '/r/io/netty/netty-transport-native-epoll/4.1.118.Final/netty-transport-native-epoll-4.1.118.Final-linux-x86_64.jar',
    },
    {
      coordinates: 'io.apicurio:apicurio-registry-app:tar.gz:all:2.6.13.Final',
      path: 'io/apicurio/apicurio-registry-app/2.6.13.Final/apicurio-registry-app-2.6.13.Final-all.tar.gz',
      file: '/r/io/apicurio/apicurio-registry-app/2.6.13.Final/apicurio-registry-app-2.6.13.Final-all.tar.gz',
    },
  ]);
  const refused = (line: string): string => {
    try {
      parseDependencyList(line, 'test');
    } catch (error) {
      assert.instance(error, SandboxError);
      return (error as SandboxError).summary;
    }
    throw new Error(`accepted ${line}`);
  };
  assert.match(refused('   a.b:c:pom:1.0:compile:/r/a/b/c/1.0/c-1.0.pom'), /resolves to a pom, not a jar or an application \.tar\.gz/);
  assert.match(refused('   a.b:c:zip:all:1.0:compile:/r/a/b/c/1.0/c-1.0-all.zip'), /resolves to a zip, not a jar/);
  assert.match(refused('   a.b:c:jar:1.0-SNAPSHOT:compile:/r/a/b/c/1.0-SNAPSHOT/c-1.0-SNAPSHOT.jar'), /is a snapshot/);
  assert.match(refused('   a.b:c:jar:1.0:compile:/somewhere/else.jar'), /not a repository path/);
  assert.match(refused('Nothing Maven would print'), /unexpected form/);
});

test('without mvn on PATH the generator says what it needs and that learners do not', async () => {
  const empty = join(scratch, 'empty-bin');
  mkdirSync(empty, { recursive: true });
  const error = await rejection(() => generateLock({ env: { ...process.env, PATH: empty } }));
  assert.instance(error, SandboxError);
  assert.match((error as SandboxError).summary, /^`npm run sandbox:lock` resolves the jars with Maven but `mvn` is not on PATH; install Maven/);
  assert.match((error as SandboxError).summary, /`npm run sandbox:fetch` fetches from the committed lock\.$/);
});

test('[slow: Maven and Maven Central] the generator writes exactly the committed lock', async () => {
  if (!hasMaven) {
    console.log('  skipped: no mvn on PATH (CI has it)');
    return;
  }
  const started = Date.now();
  const generated = await generateLock();
  console.log(`  [measured] lock generation (Maven on every pom, checksums checked with the repository): ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const committed = readLock();
  assert.equal(generated, committed, 'the committed lock is stale: run `npm run sandbox:lock` and commit sandbox/jvm/jars.lock.json');
  assert.is(lockText(generated), lockText(committed));
});

test('a Maven failure gives its meaningful line and the log, and leaves no Maven running', async () => {
  if (!hasMaven) {
    console.log('  skipped: no mvn on PATH');
    return;
  }
  // A mirror on a closed loopback port and an empty local repository: Maven must download and cannot.
  const deadPort = await freePort();
  const settings = join(scratch, 'settings.xml');
  writeFileSync(
    settings,
    `<settings><mirrors><mirror><id>unreachable</id><mirrorOf>*</mirrorOf><url>http://127.0.0.1:${deadPort}/maven2</url></mirror></mirrors></settings>`,
  );
  const error = await rejection(() =>
    generateLock({ env: { ...process.env, WORKSHOP_CACHE: join(scratch, 'cache') }, mavenArgs: ['-s', settings, `-Dmaven.repo.local=${join(scratch, 'm2')}`] }),
  );
  assert.instance(error, SandboxError);
  const summary = (error as SandboxError).summary;
  assert.not.match(summary, /\n/);
  assert.match(summary, /^Maven could not resolve the (Kafka|ElasticMQ|Apicurio Registry) \d+\.\d+\.\d+(\.Final)? jars: /);
  assert.match(summary, /127\.0\.0\.1:\d+/);
  assert.match(summary, new RegExp(`full log: ${join(scratch, 'cache', 'logs')}/lock-(kafka|elasticmq|schema-registry)\\.maven\\.log\\)\\.$`));
  assert.equal(liveChildren(), [], 'no Maven left running');
});

test.run();
