// Reading back what reached a lab's dead-letter places, as seqs of a run: the Kafka ESM's
// on-failure queue (its records name offset ranges, which the ledger maps to seqs) and the SQS
// buffer's DLQ (the booking messages themselves). Shared by the local target and the fault suite.
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { OnFailureRecord } from '../sandbox/kafka-esm/msk-event.ts';
import type { Ledger } from './ledger.ts';

/** The (runId, seq) of a booking message body; empty when it is not one. */
export function bookingIdentity(body: string | Buffer | null | undefined): { runId?: string; seq?: number } {
  try {
    const json = JSON.parse(body?.toString() ?? '') as { runId?: unknown; seq?: unknown };
    return typeof json.runId === 'string' && typeof json.seq === 'number' ? { runId: json.runId, seq: json.seq } : {};
  } catch {
    return {};
  }
}

/**
 * The run and seq of a polled record: from the headers every producer writes (runId, seq), which
 * an Avro value or one the mapping could not decode still carries; else from a JSON value.
 */
export function recordIdentity(record: { value: Buffer | null; headers: Array<Record<string, Buffer>> }): { runId?: string; seq?: number } {
  const header = (name: string) => record.headers.find((h) => h[name] !== undefined)?.[name]?.toString();
  const runId = header('runId');
  const seq = Number(header('seq'));
  if (runId !== undefined && Number.isSafeInteger(seq)) return { runId, seq };
  return bookingIdentity(record.value);
}

/** The seqs of the ledger that an on-failure record's offset ranges cover. */
export function seqsNamedBy(record: OnFailureRecord, ledger: Ledger): number[] {
  const seqs: number[] = [];
  for (const [key, range] of Object.entries(record.KafkaBatchInfo.recordsInfo)) {
    const partition = Number(key.slice(key.lastIndexOf('-') + 1));
    for (let offset = Number(range.firstRecordOffset); offset <= Number(range.lastRecordOffset); offset++) {
      const seq = ledger.byPosition.get(`${partition}:${offset}`);
      if (seq !== undefined) seqs.push(seq);
    }
  }
  return seqs;
}

export interface DrainOptions {
  /** Long-poll wait of each receive (default 1). */
  waitTimeSeconds?: number;
  /** Empty receives in a row that end the drain (default 2). */
  emptyPolls?: number;
}

/** Receives and deletes every message of a queue; their bodies. */
export async function drainQueue(sqs: SQSClient, queueUrl: string, options: DrainOptions = {}): Promise<string[]> {
  const bodies: string[] = [];
  for (let empty = 0; empty < (options.emptyPolls ?? 2); ) {
    const response = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: options.waitTimeSeconds ?? 1 }));
    const messages = response.Messages ?? [];
    if (messages.length === 0) {
      empty++;
      continue;
    }
    bodies.push(...messages.map((m) => m.Body ?? ''));
    await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
    );
  }
  return bodies;
}
