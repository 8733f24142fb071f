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

test('seqs that were never published are reported, not counted', () => {
  const a = account({ published: range(2), processed: [0, 1, 99], filtered: [], deadLettered: [] });
  assert.equal(a.unknownSeqs, [99]);
  assert.is(a.processed, 2);
});

test.run();
