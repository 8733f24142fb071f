// How `workshop` ends on each kind of error: one line, the right exit code, and for anything not
// caused by the input, the full log on disk instead of a stack trace on the terminal.

import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../harness/errors.ts';
import { EXIT, exitCodeTable, exitFor, writeErrorLog } from '../../harness/exit-codes.ts';
import { ThrottledError } from '../../harness/targets/aws-retry.ts';
import { DeployError } from '../../labs/deploy/deploy-error.ts';
import { LabSpecError } from '../../labs/lab-spec.ts';
import { WorkshopError } from '../../labs/workshop-error.ts';
import { SandboxError } from '../../sandbox/errors.ts';
import { EventPatternError } from '../../sandbox/filter/event-pattern.ts';

// kafkajs exports its errors from CommonJS by spreading, which ESM named imports cannot see.
const { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } = kafkajs;
const dir = mkdtempSync(join(tmpdir(), 'klw-exit-'));
const log = (error: unknown) => writeErrorLog(error, dir, new Date(Date.UTC(2026, 11, 5)));
const noStack = (message: string) => assert.not.match(message, /\n\s+at .+:\d+:\d+/);

test('bad input: exit 2 and its own message, no log', () => {
  let logged = 0;
  const counting = () => (logged++, undefined);
  assert.equal(exitFor(new UsageError('Unknown lab "7"'), counting), { code: EXIT.badInput.code, message: 'Unknown lab "7"' });
  assert.is(exitFor(new LabSpecError('01', [{ path: 'x', value: 1, allowed: 'y', rule: 'z' }]), counting).code, 2);
  assert.is(logged, 0);
});

test('an environment problem (the sandbox, a broker error past its retries, a socket): exit 3, one line', () => {
  assert.equal(exitFor(new SandboxError('Java 17 or newer is needed'), log), { code: EXIT.environment.code, message: 'Java 17 or newer is needed' });
  for (const error of [
    new KafkaJSNumberOfRetriesExceeded(
      new KafkaJSProtocolError({
        message: 'This server is not the leader for that topic-partition',
        type: 'NOT_LEADER_FOR_PARTITION',
        code: 6,
        retriable: true,
      } as never),
      { retryCount: 5, retryTime: 1 },
    ),
    new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1'),
    Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
  ]) {
    const { code, message } = exitFor(error, log);
    assert.is(code, EXIT.environment.code, error.message);
    assert.is(message.split('\n').length, 1);
    assert.match(message, 'A server the workshop needs failed: ');
    assert.match(message, `Full log: ${dir}`);
    noStack(message);
  }
});

test('anything else: exit 4, what failed in one line, and where the full log with stack and causes is', () => {
  const bug = new TypeError("Cannot read properties of undefined (reading 'offset')", { cause: new Error('the inner cause') });
  const { code, message } = exitFor(bug, log);
  assert.is(code, EXIT.unexpected.code);
  assert.is(message.split('\n').length, 1);
  noStack(message);
  const file = /Full log: (\S+)/.exec(message)![1];
  const text = readFileSync(file, 'utf8');
  assert.match(text, 'TypeError: Cannot read properties of undefined');
  assert.match(text, /\n\s+at /, 'the stack is in the log');
  assert.match(text, 'Caused by:\nError: the inner cause');
});

test('the exit code is read from the error, never from its name', () => {
  class Misnamed extends WorkshopError {
    override name = 'UsageError';
  }
  assert.is(exitFor(new Misnamed('the disk is full', { category: 'environment' }), log).code, EXIT.environment.code);
  assert.is(exitFor(new DeployError('Unknown option --frobnicate.', 'badInput'), log).code, EXIT.badInput.code);
  assert.is(exitFor(new DeployError('terraform apply failed for stack base (exit 1)'), log).code, EXIT.environment.code);
  assert.is(exitFor(new EventPatternError('value.x', 'not a list', 'a list', 'https://docs.aws.amazon.com/'), log).code, EXIT.badInput.code);
  const throttled = new ThrottledError('Invoke', 5, new Error('Rate exceeded'));
  assert.ok(throttled.transient);
  assert.is(exitFor(throttled, log).code, EXIT.environment.code);
  assert.is(new WorkshopError('x', { category: 'unexpected' }).exitCode, EXIT.unexpected.code);
});

test('every error class the project throws extends WorkshopError (handlers run alone in Lambda and keep their own)', () => {
  const root = new URL('../..', import.meta.url).pathname;
  const sources = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => join(e.parentPath, e.name));
  const declared = new Map<string, string>();
  for (const file of ['labs', 'sandbox', 'harness', 'bench', 'docs', 'modules'].flatMap(sources)) {
    if (file.includes('/exercise/') && file.includes('/labs/0')) continue; // the learner's copy of a handler
    for (const [, name, base] of readFileSync(file, 'utf8').matchAll(/class (\w+) extends (\w+)/g)) if (base.endsWith('Error')) declared.set(name, base);
  }
  const rootOf = (name: string): string => (name !== 'WorkshopError' && declared.has(name) ? rootOf(declared.get(name)!) : name);
  const strays = [...declared.keys()].filter((name) => name !== 'WorkshopError' && rootOf(name) !== 'WorkshopError');
  assert.equal(strays, []);
  assert.ok(declared.size >= 12, `found ${declared.size} error classes`);
});

test("README's exit-code table is the code's", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  assert.ok(readme.includes(exitCodeTable()), `README.md should hold, verbatim:\n${exitCodeTable()}`);
});

test.run();
