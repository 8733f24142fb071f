// Can this AWS account run a lab? A Lambda account has one pool of concurrent executions
// (1,000 by default; new accounts get less, raised by AWS over time, or on request:
// lambda/latest/dg/gettingstarted-limits.html), and AWS keeps at least 100 of it unreserved
// (lambda/latest/dg/configuration-concurrency.html). A lab whose pipeline can run more
// invocations at once than the account allows deploys fine and is then throttled, which reads as
// a latency or loss problem; deploy says so first, from GetAccountSettings.

import { MIN_UNRESERVED_CONCURRENCY } from './aws-limits.ts';
import { capacityModel } from './capacity-model.ts';
import type { LabSpec } from './lab-spec.ts';

export { MIN_UNRESERVED_CONCURRENCY };

export interface AccountConcurrency {
  /** AccountLimit.ConcurrentExecutions */
  limit: number;
  /** AccountLimit.UnreservedConcurrentExecutions */
  unreserved: number;
}

/** The most invocations the lab's pipeline runs at once: every stage's ceiling, plus the producer. */
export function concurrencyNeeded(lab: LabSpec): { total: number; parts: string[] } {
  const stages = capacityModel(lab).stages;
  const parts = stages.map((s) => `${s.source === 'kafka' ? 'Kafka ESM' : 'SQS ESM'} ${s.concurrencyLimit} (${s.concurrencyBound})`);
  return { total: stages.reduce((sum, s) => sum + s.concurrencyLimit, 0) + 1, parts: [...parts, 'producer 1'] };
}

/** Why the account cannot run the lab as designed, or undefined. */
export function concurrencyProblem(lab: LabSpec, account: AccountConcurrency): string | undefined {
  const increase = 'request an increase of "Concurrent executions" in Service Quotas (AWS Lambda), then deploy again';
  const reserved = lab.processor.reservedConcurrency;
  if (reserved !== undefined && account.unreserved - reserved < MIN_UNRESERVED_CONCURRENCY) {
    return `Lab ${lab.id} reserves ${reserved} concurrent executions for its processor, but this account has ${account.unreserved} unreserved of ${account.limit} and AWS keeps at least ${MIN_UNRESERVED_CONCURRENCY} unreserved, so the deploy would fail: ${increase}, or lower processor.reservedConcurrency.`;
  }
  const needed = concurrencyNeeded(lab);
  if (needed.total > account.limit) {
    return `Lab ${lab.id} can run up to ${needed.total} Lambda invocations at once (${needed.parts.join(' + ')}), but this account's concurrency limit is ${account.limit}: the run would be throttled. New accounts start with a low limit: ${increase}.`;
  }
  return undefined;
}
