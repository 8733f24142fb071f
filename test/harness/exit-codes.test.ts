// How `workshop` ends on each kind of error: one line, the right exit code, and for anything not
// caused by the input, the full log on disk instead of a stack trace on the terminal.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { EXIT, exitFor, writeErrorLog } from '../../harness/exit-codes.ts';
import { UsageError } from '../../harness/errors.ts';
import { LabSpecError } from '../../labs/lab-spec.ts';
import { SandboxError } from '../../sandbox/errors.ts';

// kafkajs exports its errors from CommonJS by spreading, which ESM named imports cannot see.
const { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } = kafkajs;
const dir = mkdtempSync(join(tmpdir(), 'klw-exit-'));
const log = (error: unknown) => writeErrorLog(error, dir, new Date(Date.UTC(2026, 11, 5)));
const noStack = (message: string) => assert.not.match(message, /\n\s+at .+:\d+:\d+/);

test('bad input: exit 2 and its own message, no log', () => {
  let logged = 0;
  const counting = () => (logged++, undefined);
  assert.equal(exitFor(new UsageError('Unknown lab "7"'), counting), { code: EXIT.badInput, message: 'Unknown lab "7"' });
  assert.is(exitFor(new LabSpecError('01', [{ path: 'x', value: 1, allowed: 'y', rule: 'z' }]), counting).code, 2);
  assert.is(logged, 0);
});

test('an environment problem (the sandbox, a broker error past its retries, a socket): exit 3, one line', () => {
  assert.equal(exitFor(new SandboxError('Java 17 or newer is needed'), log), { code: EXIT.environment, message: 'Java 17 or newer is needed' });
  for (const error of [
    new KafkaJSNumberOfRetriesExceeded(new KafkaJSProtocolError({ message: 'This server is not the leader for that topic-partition', type: 'NOT_LEADER_FOR_PARTITION', code: 6, retriable: true } as never), { retryCount: 5, retryTime: 1 }),
    new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1'),
    Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
  ]) {
    const { code, message } = exitFor(error, log);
    assert.is(code, EXIT.environment, error.message);
    assert.is(message.split('\n').length, 1);
    assert.match(message, 'A server the workshop needs failed: ');
    assert.match(message, `Full log: ${dir}`);
    noStack(message);
  }
});

test('anything else: exit 4, what failed in one line, and where the full log with stack and causes is', () => {
  const bug = new TypeError('Cannot read properties of undefined (reading \'offset\')', { cause: new Error('the inner cause') });
  const { code, message } = exitFor(bug, log);
  assert.is(code, EXIT.unexpected);
  assert.is(message.split('\n').length, 1);
  noStack(message);
  const file = /Full log: (\S+)/.exec(message)![1];
  const text = readFileSync(file, 'utf8');
  assert.match(text, 'TypeError: Cannot read properties of undefined');
  assert.match(text, /\n\s+at /, 'the stack is in the log');
  assert.match(text, 'Caused by:\nError: the inner cause');
});

test.run();
