import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { account } from '../../harness/accounting.ts';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test('everything accounted for: nothing lost, nothing duplicated', () => {
  const a = account({ published: range(10), processed: [0, 1, 2, 3, 4, 5], filtered: [6, 7], deadLettered: [8, 9] });
  assert.equal([a.published, a.processed, a.filtered, a.deadLettered, a.lost, a.duplicated], [10, 6, 2, 2, 0, 0]);
});

test('a missing event is lost, and named', () => {
  const a = account({ published: range(5), processed: [0, 1, 3], filtered: [4], deadLettered: [] });
  assert.is(a.lost, 1);
  assert.equal(a.lostSeqs, [2]);
});

test('an event processed twice, or processed and dead-lettered, is a duplicate', () => {
  const a = account({ published: range(4), processed: [0, 1, 1, 2, 3], filtered: [], deadLettered: [3] });
  assert.is(a.duplicated, 2);
  assert.equal(a.duplicatedSeqs.sort(), [1, 3]);
  assert.is(a.processed, 4);
  assert.is(a.lost, 0);
});

test('events the mapping dropped are a category of their own: neither processed nor lost', () => {
  const a = account({ published: range(5), processed: [0, 1], filtered: [2], deadLettered: [], dropped: [3, 4] });
  assert.is(a.dropped, 2);
  assert.is(a.processed, 2);
  assert.is(a.lost, 0);
  assert.is(a.published, a.processed + a.filtered + a.deadLettered + a.dropped);
  const twice = account({ published: range(2), processed: [0, 1], filtered: [], deadLettered: [], dropped: [1] });
  assert.equal(twice.duplicatedSeqs, [1], 'processed and dropped is handled twice');
});

test('seqs that were never published are reported, not counted', () => {
  const a = account({ published: range(2), processed: [0, 1, 99], filtered: [], deadLettered: [] });
  assert.equal(a.unknownSeqs, [99]);
  assert.is(a.processed, 2);
});

test('an event still waiting behind the committed offset when the run ends is waiting, not lost', () => {
  const a = account({ published: range(6), processed: [0, 1, 3], filtered: [], deadLettered: [5], waiting: [2, 3, 4] });
  assert.is(a.waiting, 2, 'seq 3 was processed, so only 2 and 4 wait');
  assert.is(a.lost, 0);
  assert.is(a.published, a.processed + a.filtered + a.deadLettered + a.waiting + a.lost);
  const b = account({ published: range(3), processed: [0], filtered: [], deadLettered: [], waiting: [2] });
  assert.is(b.waiting, 1);
  assert.is(b.lost, 1, 'an event neither handled nor waiting is lost');
  assert.equal(b.lostSeqs, [1]);
});

test.run();
