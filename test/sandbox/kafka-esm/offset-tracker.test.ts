import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OffsetTracker } from '../../../sandbox/kafka-esm/offset-tracker.ts';

test('nothing is committed before success', () => {
  const t = new OffsetTracker();
  t.track('t-0', 5);
  t.track('t-0', 6);
  assert.equal(t.toCommit(), new Map([['t-0', 5]]), 'the commit point stays at the first pending record');
  t.done('t-0', 5);
  assert.equal(t.toCommit(), new Map([['t-0', 6]]));
  t.done('t-0', 6);
  assert.equal(t.toCommit(), new Map([['t-0', 7]]));
});

test('a filtered record is committed, never ahead of an earlier record in flight', () => {
  const t = new OffsetTracker();
  t.track('t-0', 0);
  t.track('t-0', 1);
  t.done('t-0', 1); // filtered out
  assert.equal(t.toCommit().get('t-0'), 0);
  t.done('t-0', 0);
  assert.equal(t.toCommit().get('t-0'), 2);
});

test('markCommitted keeps commits moving forward only', () => {
  const t = new OffsetTracker();
  t.track('t-1', 0);
  t.done('t-1', 0);
  t.markCommitted(t.toCommit());
  assert.equal(t.toCommit(), new Map());
  assert.is(t.committedOffset('t-1'), 1);
  t.markCommitted(new Map([['t-1', 0]]));
  assert.is(t.committedOffset('t-1'), 1);
});

test('OffsetLag counts from where the mapping started reading until its first commit', () => {
  const t = new OffsetTracker();
  assert.is(t.lagBase('t-2'), undefined, 'a partition it never read adds no lag');
  t.track('t-2', 40); // the first record of the partition fails forever: nothing is committed
  t.track('t-2', 41);
  assert.is(t.lagBase('t-2'), 40);
  t.done('t-2', 40);
  t.markCommitted(t.toCommit());
  assert.is(t.lagBase('t-2'), 41, 'then the committed offset');
});

test.run();
