// Concurrency accounting, exact: every running invocation (cold start included) holds one unit
// from the moment it is admitted until its environment is free again.
//
// AWS rules (lambda/latest/dg/lambda-concurrency.html, configuration-concurrency.html):
// - The account has a concurrency limit (default 1,000) shared by all functions in the Region.
// - Reserved concurrency R gives a function exactly R units: it never runs more than R at once
//   (R = 0 throttles every invoke), and those R units are taken out of the shared pool.
// - Functions without a reservation share what is left: account limit - sum of reservations.
//   Lambda keeps at least 100 units unreserved, so reservations may not eat into them.
// An invoke above the limit is throttled (TooManyRequestsException) and runs nothing.

import type { ThrottleReason } from './lambda-errors.ts';
import { RetainedList, type RetentionOptions } from './retention.ts';

export interface ConcurrencySample {
  /** Epoch ms. */
  at: number;
  /** The function whose concurrency changed. */
  functionName: string;
  /** That function's concurrency after the change. */
  concurrency: number;
  /** All functions of the account after the change. */
  accountConcurrency: number;
}

interface FunctionCount {
  reserved: number | undefined;
  current: number;
  peak: number;
}

export class ConcurrencyPool {
  readonly accountLimit: number;
  readonly minimumUnreserved: number;
  readonly #timeline: RetainedList<ConcurrencySample>;
  readonly #functions = new Map<string, FunctionCount>();
  #reservedTotal = 0;
  #unreservedInUse = 0;
  #total = 0;
  #peak = 0;

  constructor(accountLimit = 1000, minimumUnreserved = Math.min(100, accountLimit), retention: RetentionOptions = {}) {
    if (!Number.isInteger(accountLimit) || accountLimit < 1) {
      throw new Error(`accountConcurrency ${accountLimit} is not valid: use a whole number of 1 or more (AWS default: 1000).`);
    }
    if (!Number.isInteger(minimumUnreserved) || minimumUnreserved < 0 || minimumUnreserved > accountLimit) {
      throw new Error(
        `minimumUnreservedConcurrency ${minimumUnreserved} is not valid: use a whole number from 0 to the account limit (${accountLimit}); AWS keeps 100.`,
      );
    }
    this.accountLimit = accountLimit;
    this.minimumUnreserved = minimumUnreserved;
    this.#timeline = new RetainedList(retention);
  }

  /** Every change within the retention window (default the last 15 minutes), in order. */
  get timeline(): readonly ConcurrencySample[] {
    return this.#timeline.all();
  }

  /** What functions without a reservation share. */
  get unreservedLimit(): number {
    return this.accountLimit - this.#reservedTotal;
  }

  register(functionName: string, reserved?: number): void {
    if (this.#functions.has(functionName)) throw new Error(`Function ${functionName} is already registered.`);
    if (reserved !== undefined) {
      const available = this.accountLimit - this.minimumUnreserved - this.#reservedTotal;
      if (!Number.isInteger(reserved) || reserved < 0 || reserved > available) {
        throw new Error(
          `reservedConcurrency ${reserved} for ${functionName} is not valid: use a whole number from 0 to ${available} ` +
            `(account limit ${this.accountLimit}, ${this.#reservedTotal} already reserved, ${this.minimumUnreserved} kept unreserved). ` +
            'Lower it, or leave it unset to share the unreserved pool.',
        );
      }
      this.#reservedTotal += reserved;
    }
    this.#functions.set(functionName, { reserved, current: 0, peak: 0 });
  }

  /** Takes one unit, or says why the invoke is throttled (and takes nothing). */
  acquire(functionName: string): { throttled: ThrottleReason; limit: number } | undefined {
    const count = this.#count(functionName);
    if (count.reserved !== undefined) {
      if (count.current >= count.reserved) {
        return { throttled: 'ReservedFunctionConcurrentInvocationLimitExceeded', limit: count.reserved };
      }
    } else {
      if (this.#unreservedInUse >= this.unreservedLimit) {
        return { throttled: 'ConcurrentInvocationLimitExceeded', limit: this.unreservedLimit };
      }
      this.#unreservedInUse += 1;
    }
    count.current += 1;
    count.peak = Math.max(count.peak, count.current);
    this.#total += 1;
    this.#peak = Math.max(this.#peak, this.#total);
    this.#sample(functionName, count);
    return undefined;
  }

  release(functionName: string): void {
    const count = this.#count(functionName);
    if (count.current === 0) throw new Error(`Concurrency of ${functionName} released more often than acquired.`);
    count.current -= 1;
    if (count.reserved === undefined) this.#unreservedInUse -= 1;
    this.#total -= 1;
    this.#sample(functionName, count);
  }

  current(functionName: string): number {
    return this.#count(functionName).current;
  }

  peak(functionName: string): number {
    return this.#count(functionName).peak;
  }

  reserved(functionName: string): number | undefined {
    return this.#count(functionName).reserved;
  }

  get total(): number {
    return this.#total;
  }

  get peakTotal(): number {
    return this.#peak;
  }

  #count(functionName: string): FunctionCount {
    const count = this.#functions.get(functionName);
    if (!count) throw new Error(`Function ${functionName} is not registered with this concurrency pool.`);
    return count;
  }

  #sample(functionName: string, count: FunctionCount): void {
    this.#timeline.push({ at: Date.now(), functionName, concurrency: count.current, accountConcurrency: this.#total });
  }
}
