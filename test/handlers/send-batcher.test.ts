// The producer's batching: events due together leave in one request, after the linger or at the
// batch size, and each learns its own partition and offset.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SendReceipt } from '../../handlers/shared/publish.ts';
import { type BatchTimers, receiptsOf, SendBatcher } from '../../handlers/shared/send-batcher.ts';

function fakeTimers() {
  let pending: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];
  let now = 0;
  const timers: BatchTimers = {
    after(ms, fn) {
      const entry = { at: now + ms, fn, cancelled: false };
      pending.push(entry);
      return { cancel: () => void (entry.cancelled = true) };
    },
  };
  const advance = (ms: number) => {
    now += ms;
    const due = pending.filter((t) => !t.cancelled && t.at <= now);
    pending = pending.filter((t) => !due.includes(t));
    for (const t of due) t.fn();
  };
  return { timers, advance, live: () => pending.filter((t) => !t.cancelled).length };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function recorder() {
  const batches: number[][] = [];
  const sendBatch = async (messages: number[]): Promise<SendReceipt[]> => {
    batches.push(messages);
    return messages.map((m) => ({ partition: m % 2, offset: String(m) }));
  };
  return { batches, sendBatch };
}

test('events within the linger leave together, once the linger ends', async () => {
  const { timers, advance } = fakeTimers();
  const { batches, sendBatch } = recorder();
  const batcher = new SendBatcher(sendBatch, { lingerMs: 2, maxMessages: 100 }, timers);
  const receipts = [1, 2, 3].map((m) => batcher.send(m));
  assert.equal(batches, [], 'nothing leaves before the linger');
  advance(2);
  assert.equal(batches, [[1, 2, 3]]);
  assert.equal(await Promise.all(receipts), [
    { partition: 1, offset: '1' },
    { partition: 0, offset: '2' },
    { partition: 1, offset: '3' },
  ]);
  const later = batcher.send(4);
  advance(2);
  await later;
  assert.equal(batches, [[1, 2, 3], [4]], 'a new linger for the next event');
});

test('a full batch leaves at once, without waiting for the linger', async () => {
  const { timers, live } = fakeTimers();
  const { batches, sendBatch } = recorder();
  const batcher = new SendBatcher(sendBatch, { lingerMs: 1000, maxMessages: 3 }, timers);
  await Promise.all([1, 2, 3].map((m) => batcher.send(m)));
  assert.equal(batches, [[1, 2, 3]]);
  assert.is(live(), 0, 'the linger timer was cancelled');
});

test('a failed request fails each of its events, and only those', async () => {
  const { timers, advance } = fakeTimers();
  let calls = 0;
  const batcher = new SendBatcher<number>(
    async (messages) => {
      if (calls++ === 0) throw new Error('broker down');
      return messages.map(() => ({ partition: 0, offset: '0' }));
    },
    { lingerMs: 1, maxMessages: 10 },
    timers,
  );
  const first = [batcher.send(1), batcher.send(2)].map((p) =>
    p.then(
      () => 'ok',
      (e: Error) => e.message,
    ),
  );
  advance(1);
  const second = batcher.send(3);
  advance(1);
  assert.equal(await Promise.all(first), ['broker down', 'broker down']);
  assert.equal(await second, { partition: 0, offset: '0' });
  await settle();
});

test('receipts from a produce response: each partition counts up from its base offset, in send order', () => {
  assert.equal(
    receiptsOf(
      [3, 0, 3, 3],
      [
        { partition: 3, baseOffset: '41' },
        { partition: 0, baseOffset: '7' },
      ],
    ),
    [
      { partition: 3, offset: '41' },
      { partition: 0, offset: '7' },
      { partition: 3, offset: '42' },
      { partition: 3, offset: '43' },
    ],
  );
  assert.throws(() => receiptsOf([5], [{ partition: 3, baseOffset: '1' }]), /no offset for partition 5/);
});

test.run();
