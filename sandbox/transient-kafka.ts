// Broker errors that pass by themselves: a partition whose leader is being elected (right after
// a topic is created, or while a broker restarts), a group coordinator still loading, a reset
// connection. kafkajs retries many of them inside a request, not all of them across an admin call
// (listOffsets right after createTopics can answer NOT_LEADER_OR_FOLLOWER), so the sandbox and
// the harness retry such a call, bounded, and only then give up with one line (a SandboxError,
// exit 3: an environment problem), never a stack trace.
import { SandboxError } from './errors.ts';

/** Kafka protocol error types (kafkajs `error.type`) that mean "try again shortly". */
export const TRANSIENT_KAFKA_ERROR_TYPES: ReadonlySet<string> = new Set([
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'REBALANCE_IN_PROGRESS',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
]);

/** Socket errors of a connection the broker dropped or refused while restarting. */
const TRANSIENT_SOCKET_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);
/** kafkajs error classes that are about the connection, not the request. */
const TRANSIENT_KAFKAJS_NAMES: ReadonlySet<string> = new Set([
  'KafkaJSConnectionError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
]);

interface MaybeKafkaError {
  name?: string;
  type?: string;
  code?: string;
  retriable?: boolean;
  cause?: unknown;
  originalError?: unknown;
}

export function isTransientKafkaError(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const e = error as MaybeKafkaError;
  if (e.type && TRANSIENT_KAFKA_ERROR_TYPES.has(e.type)) return true;
  if (e.code && TRANSIENT_SOCKET_CODES.has(e.code)) return true;
  if (e.name && TRANSIENT_KAFKAJS_NAMES.has(e.name)) return true;
  // kafkajs wraps the last attempt's error when its own retries run out.
  return isTransientKafkaError(e.originalError, depth + 1) || isTransientKafkaError(e.cause, depth + 1);
}

export interface TransientRetryOptions {
  /** Attempts in all, the first included. Default 10. */
  attempts?: number;
  /** First delay, doubled each attempt up to maxDelayMs. Default 200 ms. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Runs `call`, retrying transient broker errors with a growing delay (about 12 s in all by default). */
export async function retryTransientKafka<T>(what: string, call: () => Promise<T>, options: TransientRetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 10;
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isTransientKafkaError(error)) throw error;
      if (attempt >= attempts) {
        throw new SandboxError(
          `${what} kept failing with a broker error that usually passes in seconds (${(error as Error).message}); retried ${attempts} times over ${(waited / 1000).toFixed(1)} s. Is the broker up? \`npx workshop sandbox status\` says.`,
          { cause: error, transient: true },
        );
      }
      const delay = Math.min(options.maxDelayMs ?? 2000, (options.baseDelayMs ?? 200) * 2 ** (attempt - 1));
      waited += delay;
      await sleep(delay);
    }
  }
}
