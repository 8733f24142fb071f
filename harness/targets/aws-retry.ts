// Backoff for AWS calls the service throttled. Each service names throttling its own way (Lambda
// Invoke: TooManyRequestsException; CloudWatch GetMetricData: Throttling / LimitExceeded;
// CloudWatch Logs FilterLogEvents: ThrottlingException; S3: SlowDown), so one list covers them all.
//
// Only throttling is retried here: the request was refused before it ran, so sending it again
// cannot do anything twice. That matters for the producer Invoke, which publishes events: it
// must never be repeated after it may have run (aws-producer.ts turns the SDK's own retries off).
//
// Delays follow "exponential backoff with full jitter":
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
import { WorkshopError } from '../../labs/workshop-error.ts';

export const THROTTLING_ERROR_NAMES: ReadonlySet<string> = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'LimitExceeded',
  'LimitExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequests',
  'SlowDown',
]);

export interface RetryOptions {
  /** Attempts in all, the first included. Default 8. */
  attempts?: number;
  /** Cap of the first delay; doubles each attempt. Default 250 ms. */
  baseDelayMs?: number;
  /** Longest single delay. Default 10 s. */
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** 0..1; full jitter multiplies the capped delay by it. Default Math.random. */
  random?: () => number;
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface MaybeAwsError {
  name?: unknown;
  Code?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

export function isThrottling(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as MaybeAwsError;
  if (typeof e.name === 'string' && THROTTLING_ERROR_NAMES.has(e.name)) return true;
  if (typeof e.Code === 'string' && THROTTLING_ERROR_NAMES.has(e.Code)) return true;
  if (e.$retryable?.throttling === true) return true;
  return e.$metadata?.httpStatusCode === 429;
}

/** Thrown when a call was still throttled after every attempt; `lastError` is the last refusal. */
export class ThrottledError extends WorkshopError {
  override name = 'ThrottledError';
  constructor(
    readonly what: string,
    readonly attempts: number,
    readonly lastError: unknown,
  ) {
    super(
      `${what} was still throttled by AWS after ${attempts} attempts (${describeError(lastError)}). Wait a minute and run again, or raise the quota named in the error.`,
      {
        category: 'environment',
        transient: true,
        cause: lastError,
      },
    );
  }
}

/** Runs `call`, retrying it with backoff while AWS answers with a throttling error. */
export async function withThrottlingRetry<T>(what: string, call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 8);
  const base = options.baseDelayMs ?? 250;
  const cap = options.maxDelayMs ?? 10_000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isThrottling(error)) throw error;
      if (attempt >= attempts) throw new ThrottledError(what, attempts, error);
      await sleep(Math.round(random() * Math.min(cap, base * 2 ** (attempt - 1))));
    }
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const reason = (error as { Reason?: unknown }).Reason;
    return `${error.name}: ${error.message}${typeof reason === 'string' ? ` (${reason})` : ''}`;
  }
  return String(error);
}
