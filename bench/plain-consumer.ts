// Starts and stops the baseline consumer process (plain-consumer-child.ts).
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface PlainConsumerConfig {
  brokers: string[];
  topic: string;
  groupId: string;
  runId: string;
  processingMsPerRecord: number;
  /** kafkajs partitionsConsumedConcurrently: partitions handled in parallel. */
  partitionsConsumedConcurrently: number;
  /**
   * each-message: one record at a time per partition, as a latency-minded consumer is written.
   * each-batch: a fetched batch at a time, the fastest way kafkajs consumes (the throughput baseline).
   */
  mode: 'each-message' | 'each-batch';
}

export type ParentMessage = { type: 'stop' };
export type ChildMessage =
  | { type: 'ready' }
  | { type: 'progress'; count: number }
  | { type: 'result'; done: Array<[number, number, number]>; duplicates: number }
  | { type: 'error'; message: string };

export interface PlainConsumerResult {
  /** [seq, endToEndMs, completedAt] */
  done: Array<[number, number, number]>;
  duplicates: number;
}

export interface PlainConsumer {
  readonly pid: number | undefined;
  /** Records of the run consumed so far (updated every 250 ms). */
  count(): number;
  /** Resolves once the consumer joined its group (and will see every event produced after). */
  ready(timeoutMs: number): Promise<void>;
  /** Disconnects and returns what it measured. */
  stop(timeoutMs?: number): Promise<PlainConsumerResult>;
  /** Kills the process if it still runs (cleanup path). Idempotent. */
  kill(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./plain-consumer-child.ts', import.meta.url));

export function startPlainConsumer(config: PlainConsumerConfig): PlainConsumer {
  const child: ChildProcess = fork(CHILD, [JSON.stringify(config)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  let count = 0;
  let failure: string | undefined;
  let readyResolve: () => void = () => undefined;
  const readyPromise = new Promise<void>((resolve) => (readyResolve = resolve));
  let resultResolve: (r: PlainConsumerResult) => void = () => undefined;
  const resultPromise = new Promise<PlainConsumerResult>((resolve) => (resultResolve = resolve));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'ready') readyResolve();
    if (message.type === 'progress') count = message.count;
    if (message.type === 'result') resultResolve({ done: message.done, duplicates: message.duplicates });
    if (message.type === 'error') failure = message.message;
  });

  const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      promise,
      new Promise<T>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `the plain kafkajs consumer had not ${what} after ${ms / 1000} s${failure ? ` (${failure})` : ''}${stderr ? `; its stderr: ${stderr.trim().slice(-500)}` : ''}`,
              ),
            ),
          ms,
        );
      }),
      exited.then(() => {
        throw new Error(
          `the plain kafkajs consumer exited before it ${what}${failure ? `: ${failure}` : ''}${stderr ? `; its stderr: ${stderr.trim().slice(-500)}` : ''}`,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  };

  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  };

  return {
    pid: child.pid,
    count: () => count,
    ready: (timeoutMs) => within(readyPromise, timeoutMs, 'joined its consumer group'),
    async stop(timeoutMs = 15_000) {
      child.send({ type: 'stop' } satisfies ParentMessage);
      try {
        return await within(resultPromise, timeoutMs, 'reported its measurements');
      } finally {
        await kill();
      }
    },
    kill,
  };
}
