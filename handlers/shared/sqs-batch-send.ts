// Sending many messages to SQS reliably: SendMessageBatch takes at most 10 entries and 1 MiB in
// one call, reports success per entry, and can fail some entries of a call that "succeeded".
// So: pack entries into calls, send the calls in parallel, and retry only the entries that failed
// for a transient reason, with backoff, a bounded number of times. What still fails is returned,
// never dropped: the caller decides (the forwarder throws so the Kafka ESM retries the batch).

import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { SQS_MAX_BATCH_ENTRIES, SQS_MAX_MESSAGE_BYTES, type SqsMessage, sqsMessageBytes } from './sqs-message.ts';

export interface OutgoingMessage {
  /** Batch entry Id: unique in the request; alphanumerics, hyphens, underscores, at most 80 characters. */
  id: string;
  message: SqsMessage;
}

export interface SendOptions {
  /** Attempts per entry, the first included. */
  maxAttempts?: number;
  /** Backoff before retry n is baseDelayMs * 2^(n-1), with full jitter. */
  baseDelayMs?: number;
  /** Calls in flight at once. */
  concurrency?: number;
  /** Per message and per call (sum of its messages). */
  maxMessageBytes?: number;
  wait?: (ms: number) => Promise<unknown>;
  random?: () => number;
}

export interface SendFailure {
  id: string;
  reason: string;
  attempts: number;
}

export interface SendResult {
  sent: number;
  calls: number;
  failed: SendFailure[];
}

const VALID_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

export async function sendMessagesInBatches(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly OutgoingMessage[],
  options: SendOptions = {},
): Promise<SendResult> {
  const maxAttempts = options.maxAttempts ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 100;
  const maxBytes = options.maxMessageBytes ?? SQS_MAX_MESSAGE_BYTES;
  const wait = options.wait ?? sleep;
  const random = options.random ?? Math.random;

  const failed: SendFailure[] = [];
  let pending: Array<OutgoingMessage & { bytes: number }> = [];
  const ids = new Set<string>();
  for (const m of messages) {
    if (!VALID_ENTRY_ID.test(m.id) || ids.has(m.id)) throw new Error(`Invalid or duplicate SQS batch entry Id ${JSON.stringify(m.id)}.`);
    ids.add(m.id);
    const bytes = sqsMessageBytes(m.message);
    if (bytes > maxBytes) {
      failed.push({
        id: m.id,
        attempts: 0,
        reason:
          `message is ${bytes} bytes (body + attributes), over the SQS limit of ${maxBytes} bytes; ` +
          `it cannot be sent as is (shrink the event, or raise the queue's MaximumMessageSize up to 1 MiB)`,
      });
    } else {
      pending.push({ ...m, bytes });
    }
  }

  let sent = 0;
  let calls = 0;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const retry: typeof pending = [];
    const lastReason = new Map<string, string>();
    const batches = packBatches(pending, maxBytes);
    calls += batches.length;
    await forEachConcurrently(batches, options.concurrency ?? 16, async (batch) => {
      const byId = new Map(batch.map((m) => [m.id, m]));
      try {
        const response = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((m) => ({ Id: m.id, MessageBody: m.message.MessageBody, MessageAttributes: m.message.MessageAttributes })),
          }),
        );
        for (const ok of response.Successful ?? []) {
          if (byId.delete(ok.Id ?? '')) sent++;
        }
        for (const failure of response.Failed ?? []) {
          const entry = byId.get(failure.Id ?? '');
          if (!entry) continue;
          byId.delete(entry.id);
          const reason = `${failure.Code ?? 'Error'}: ${failure.Message ?? 'no message'}`;
          // SenderFault means the entry itself is wrong: sending it again cannot help.
          if (failure.SenderFault) failed.push({ id: entry.id, reason, attempts: attempt });
          else {
            retry.push(entry);
            lastReason.set(entry.id, reason);
          }
        }
        for (const entry of byId.values()) {
          retry.push(entry);
          lastReason.set(entry.id, 'SQS reported neither success nor failure for this entry');
        }
      } catch (error) {
        const reason = `SendMessageBatch failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
        for (const entry of batch) {
          if (isRetryable(error)) {
            retry.push(entry);
            lastReason.set(entry.id, reason);
          } else {
            failed.push({ id: entry.id, reason, attempts: attempt });
          }
        }
      }
    });

    if (retry.length === 0) break;
    if (attempt >= maxAttempts) {
      for (const entry of retry) {
        failed.push({ id: entry.id, attempts: attempt, reason: `gave up after ${attempt} attempts: ${lastReason.get(entry.id)}` });
      }
      break;
    }
    await wait(Math.round(random() * baseDelayMs * 2 ** (attempt - 1)));
    pending = retry;
  }
  return { sent, calls, failed };
}

/** Greedy packing in arrival order: a call holds at most 10 entries and maxBytes in total. */
export function packBatches<M extends { bytes: number }>(messages: readonly M[], maxBytes: number): M[][] {
  const batches: M[][] = [];
  let current: M[] = [];
  let currentBytes = 0;
  for (const m of messages) {
    if (current.length === SQS_MAX_BATCH_ENTRIES || (current.length > 0 && currentBytes + m.bytes > maxBytes)) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(m);
    currentBytes += m.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function isRetryable(error: unknown): boolean {
  const e = error as { $fault?: string; $retryable?: unknown; name?: string };
  // Server faults, throttling and network errors pass; a client fault (bad queue URL, no permission) would fail again.
  return e.$fault !== 'client' || Boolean(e.$retryable) || /throttl/i.test(e.name ?? '');
}

async function forEachConcurrently<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}
