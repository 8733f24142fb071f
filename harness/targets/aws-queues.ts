// The queues where failed events end, read without consuming them:
// - the Kafka ESM's on-failure destination (lab 4): each message is an invocation record with
//   KafkaBatchInfo, the offset range of each partition of the failed batch, and no record content
//   (https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html; the shape the sandbox
//   sends too, sandbox/kafka-esm/msk-event.ts OnFailureRecord);
// - lab 3's buffer dead-letter queue: each message is a booking that failed maxReceiveCount times,
//   its body the Kafka value (handlers/shared/sqs-message.ts), so it names its runId and seq.
//
// Messages are never deleted (a learner inspects them; later runs ignore them: offsets and runIds
// tell runs apart). A scan receives with a visibility timeout, so each receive returns messages
// the scan has not seen yet, until a receive comes back empty; the messages become visible again
// after VISIBILITY_TIMEOUT_SECONDS. Everything a scan saw is kept, so a scan started while earlier
// messages are still hidden loses nothing. Receiving raises a message's receive count; neither
// queue has a redrive policy of its own (modules/kafka-consumer.ts, modules/sqs-buffer.ts), so
// that moves nothing.
// ReceiveMessage: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
import { type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { OnFailureRecord } from '../../sandbox/kafka-esm/msk-event.ts';
import { explainAwsErrors } from './aws-credentials.ts';
import { type RetryOptions, withThrottlingRetry } from './aws-retry.ts';

export const VISIBILITY_TIMEOUT_SECONDS = 30;
/** Receives per scan, at most (10 messages each). */
export const MAX_RECEIVES_PER_SCAN = 200;

/** Offsets [first, last] of one partition in one failed batch. */
export interface OffsetRange {
  topic: string;
  partition: number;
  first: number;
  last: number;
}

export interface DestinationRecord {
  messageId: string;
  /** The record's own timestamp (when Lambda gave up on the batch), epoch ms. */
  at: number;
  batchSize: number;
  ranges: OffsetRange[];
}

/** "topic-partition" as the key of recordsInfo: the partition is after the last hyphen. */
function splitTopicPartition(key: string): { topic: string; partition: number } | undefined {
  const cut = key.lastIndexOf('-');
  if (cut <= 0) return undefined;
  const partition = Number(key.slice(cut + 1));
  return Number.isInteger(partition) ? { topic: key.slice(0, cut), partition } : undefined;
}

/** The offset ranges of an on-failure record; undefined when the body is not one. */
export function parseOnFailureRecord(message: Pick<Message, 'MessageId' | 'Body'>): DestinationRecord | undefined {
  let record: Partial<OnFailureRecord>;
  try {
    record = JSON.parse(message.Body ?? '') as Partial<OnFailureRecord>;
  } catch {
    return undefined;
  }
  const info = record?.KafkaBatchInfo;
  if (!info || typeof info.recordsInfo !== 'object' || info.recordsInfo === null) return undefined;
  const ranges: OffsetRange[] = [];
  for (const [key, range] of Object.entries(info.recordsInfo)) {
    const where = splitTopicPartition(key);
    const first = Number(range?.firstRecordOffset);
    const last = Number(range?.lastRecordOffset);
    if (where && Number.isFinite(first) && Number.isFinite(last)) ranges.push({ ...where, first, last });
  }
  return { messageId: message.MessageId ?? '', at: Date.parse(record.timestamp ?? '') || 0, batchSize: Number(info.batchSize) || 0, ranges };
}

/** runId and seq of a dead-lettered booking (the body is the Kafka value); undefined otherwise. */
export function parseDeadLetteredBooking(message: Pick<Message, 'Body'>): { runId: string; seq: number } | undefined {
  try {
    const value = JSON.parse(message.Body ?? '') as { runId?: unknown; seq?: unknown };
    if (typeof value?.runId === 'string' && Number.isSafeInteger(value.seq)) return { runId: value.runId, seq: value.seq as number };
  } catch {
    // A body that is not JSON (a base64-encoded value) names no run.
  }
  return undefined;
}

/** Every message a queue holds, accumulated across scans (by MessageId). */
export class QueuePeek {
  readonly messages = new Map<string, Message>();

  constructor(
    private readonly sqs: SQSClient,
    readonly queueUrl: string,
    private readonly retry: RetryOptions = {},
  ) {}

  /** Receives until a receive returns nothing new; returns how many messages were new. */
  async scan(): Promise<number> {
    let added = 0;
    for (let i = 0; i < MAX_RECEIVES_PER_SCAN; i++) {
      const page = await explainAwsErrors('sqs:ReceiveMessage', () =>
        withThrottlingRetry(
          `SQS ReceiveMessage on ${this.queueUrl}`,
          () =>
            this.sqs.send(
              new ReceiveMessageCommand({
                QueueUrl: this.queueUrl,
                MaxNumberOfMessages: 10,
                VisibilityTimeout: VISIBILITY_TIMEOUT_SECONDS,
                // Long polling (>= 1 s) asks every SQS server; short polling samples some and can miss a message.
                WaitTimeSeconds: 1,
                MessageSystemAttributeNames: ['SentTimestamp'],
              }),
            ),
          this.retry,
        ),
      );
      const messages = page.Messages ?? [];
      let fresh = 0;
      for (const message of messages) {
        const id = message.MessageId ?? message.ReceiptHandle ?? '';
        if (!this.messages.has(id)) {
          this.messages.set(id, message);
          fresh++;
        }
      }
      added += fresh;
      // Received messages stay hidden for the visibility timeout, so the scan walks the queue
      // until a receive comes back empty (messages seen before may reappear: they are skipped).
      if (messages.length === 0) break;
    }
    return added;
  }
}
