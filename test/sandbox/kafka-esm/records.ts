// Test records: small helpers shared by the ESM rule tests.
import type { PolledRecord } from '../../../sandbox/kafka-esm/polled-record.ts';

export function record(partition: number, offset: number, polledAt = 0, valueBytes = 10, topic = 'bookings'): PolledRecord {
  return {
    topic,
    partition,
    offset,
    timestamp: polledAt,
    timestampType: 'CREATE_TIME',
    key: Buffer.from(`k${offset}`),
    value: Buffer.alloc(valueBytes, 97),
    headers: [],
    polledAt,
  };
}

export function records(partition: number, from: number, count: number, polledAt = 0, valueBytes = 10): PolledRecord[] {
  return Array.from({ length: count }, (_, i) => record(partition, from + i, polledAt, valueBytes));
}

/** Lets promise continuations run after a fake-clock step. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}
