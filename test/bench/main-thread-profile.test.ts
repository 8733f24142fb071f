import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { areaOf, type CpuProfile, startMainThreadProfile, summarizeProfile } from '../../bench/main-thread-profile.ts';

test('areaOf names a package, a project folder, a Node module or V8 itself', () => {
  assert.is(areaOf('file:///w/node_modules/kafkajs/src/network/connection.js', 'sendRequest'), 'kafkajs');
  assert.is(areaOf('file:///w/node_modules/@aws-sdk/client-sqs/dist/index.js', 'send'), '@aws-sdk/client-sqs');
  assert.is(areaOf('file:///w/sandbox/kafka-esm/engine.ts', 'push'), 'sandbox/kafka-esm');
  assert.is(areaOf('file:///w/sandbox/clock.ts', 'now'), 'sandbox');
  assert.is(areaOf('node:internal/streams/writable', 'write'), 'node:streams');
  assert.is(areaOf('node:buffer', 'from'), 'node:buffer');
  assert.is(areaOf('', '(garbage collector)'), '(garbage collector)');
  assert.is(areaOf('', 'writeBuffer'), 'native writeBuffer');
});

test('summarizeProfile: self time by area and by function, shares of the whole', () => {
  const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 4] },
      { id: 2, callFrame: frame('push', 'file:///w/sandbox/kafka-esm/engine.ts', 9), children: [3] },
      { id: 3, callFrame: frame('decode', 'file:///w/node_modules/kafkajs/src/decoder.js', 4) },
      { id: 4, callFrame: frame('(idle)', '') },
    ],
    // push 2 ms, decode 3 ms (twice), idle 5 ms
    samples: [2, 3, 3, 4],
    timeDeltas: [2000, 1500, 1500, 5000],
    startTime: 0,
    endTime: 10_000,
  };
  const summary = summarizeProfile(profile);
  assert.is(summary.seconds, 0);
  assert.equal(summary.byArea, [
    { area: '(idle)', share: 0.5 },
    { area: 'kafkajs', share: 0.3 },
    { area: 'sandbox/kafka-esm', share: 0.2 },
  ]);
  assert.equal(summary.byFunction[1], { fn: 'decode kafkajs/src/decoder.js:5', area: 'kafkajs', share: 0.3 });
  assert.equal(summary.byFunction[2], { fn: 'push sandbox/kafka-esm/engine.ts:10', area: 'sandbox/kafka-esm', share: 0.2 });
});

test('startMainThreadProfile samples this thread: a busy function shows up', async () => {
  const profiler = await startMainThreadProfile();
  const until = Date.now() + 150;
  let x = 0;
  function spinForTheProfiler() {
    while (Date.now() < until) x += Math.sqrt(x + 1);
  }
  spinForTheProfiler();
  const summary = summarizeProfile(await profiler.stop(), 50);
  assert.ok(x > 0);
  assert.ok(
    summary.byFunction.some((f) => f.fn.startsWith('spinForTheProfiler')),
    JSON.stringify(summary.byFunction.slice(0, 5)),
  );
});

test.run();
