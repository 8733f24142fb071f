// Shared by the fault suite (npm run test:faults): what happened to every published event of a
// run, observed the way the local target observes a lab run, and the one accounting block each
// test prints.
//
//   published     read back from the topic (harness/ledger.ts readLedger), by (runId, seq)
//   processed     the processors' "batch processed" log lines (every occurrence, so duplicates show)
//   filtered      the Kafka ESM's filter (startSandbox's onFiltered)
//   dead-lettered read back from the on-failure destination queue (its offset ranges mapped to seqs
//                 through the ledger) and from the SQS buffer's DLQ
//
// harness/accounting.ts account() turns these into the numbers; every test asserts lost 0 and
// published = processed + filtered + dead-lettered, and explains its duplicates.
import { readFileSync } from 'node:fs';
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { readBatchReport } from '../../handlers/shared/telemetry.ts';
import { type Accounting, account } from '../../harness/accounting.ts';
import { bookingIdentity, drainQueue, recordIdentity, seqsNamedBy } from '../../harness/dead-letters.ts';
import { type Ledger, readLedger } from '../../harness/ledger.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import { type ElasticMqSandbox, startElasticMq } from '../../sandbox/elasticmq.ts';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../sandbox/index.ts';
import { type KafkaSandbox, startKafka } from '../../sandbox/kafka-broker.ts';
import type { OnFailureRecord } from '../../sandbox/kafka-esm/msk-event.ts';
import type { PolledRecord } from '../../sandbox/kafka-esm/polled-record.ts';
import type { InvocationRecord } from '../../sandbox/lambda-runtime/index.ts';

export { labVariant, waitFor } from '../integration/support.ts';

/** One broker and one ElasticMQ for a file's tests; every sandbox started through it is stopped after them. */
export function sharedServers(suite: Test) {
  let kafka: KafkaSandbox | undefined;
  let elasticMq: ElasticMqSandbox | undefined;
  const sandboxes: Sandbox[] = [];
  suite.before(async () => {
    [kafka, elasticMq] = await Promise.all([startKafka(), startElasticMq()]);
  });
  suite.after(async () => {
    for (const sandbox of sandboxes) await sandbox.stop();
    await Promise.allSettled([kafka?.stop(), elasticMq?.stop()]);
  });
  return {
    get kafka(): KafkaSandbox {
      return kafka!;
    },
    async sandbox(lab: LabSpec, options: SandboxOptions = {}): Promise<Sandbox> {
      const sandbox = await startSandbox(lab, { kafka, elasticMq, ...options });
      sandboxes.push(sandbox);
      return sandbox;
    },
    /** Runs the lab's traffic once as run `runId` in a new sandbox, then waits until every event has an outcome. */
    async run(lab: LabSpec, runId: string, options: { functionEnv?: Record<string, string>; settleMs: number }) {
      const observer = new RunObserver(runId);
      const sandbox = await this.sandbox(lab, {
        onFiltered: observer.onFiltered,
        onDropped: observer.onDropped,
        ...(options.functionEnv ? { functionEnv: options.functionEnv } : {}),
      });
      observer.attach(sandbox);
      const produced = await sandbox.produce({ runId, startAtMs: Date.now() + 200, profile: lab.traffic });
      const ledger = await ledgerOf(sandbox, runId, produced.published);
      await settle(sandbox, observer, ledger, options.settleMs);
      return { sandbox, observer, produced, ledger };
    },
  };
}

export interface FailedAttempt {
  seq?: number;
  partition?: number;
  offset?: number;
  reason: string;
  requestId: string;
}

/** Everything one run's processors, filter and destinations reported, across sandbox restarts. */
export class RunObserver {
  /** One entry per processing of a seq of this run. */
  readonly processed: number[] = [];
  /** seqs each invocation (requestId) reported processed. */
  readonly processedBy = new Map<string, number[]>();
  readonly failed: FailedAttempt[] = [];
  readonly filtered = new Set<number>();
  readonly deadLettered = new Set<number>();
  /** Seqs the Kafka ESM dropped (DroppedEventCount). */
  readonly dropped = new Set<number>();
  /** Every invocation of the processor, by outcome. */
  readonly invocations: InvocationRecord[] = [];
  /** Dead-letter messages read (destination records or DLQ messages). */
  destinationMessages: OnFailureRecord[] = [];

  /** Set by a test that deletes the destination queue: nothing can be read from it. */
  destinationGone = false;

  constructor(readonly runId: string) {}

  /** For startSandbox's onFiltered option. */
  readonly onFiltered = (record: PolledRecord): void => {
    const { runId, seq } = recordIdentity(record);
    if (runId === this.runId && seq !== undefined) this.filtered.add(seq);
  };

  /** For startSandbox's onDropped option. */
  readonly onDropped = (records: PolledRecord[]): void => {
    for (const record of records) {
      const { runId, seq } = recordIdentity(record);
      if (runId === this.runId && seq !== undefined) this.dropped.add(seq);
    }
  };

  /** Listens to the processor of this sandbox (the SQS processor behind a buffer). */
  attach(sandbox: Sandbox): void {
    const processor = sandbox.processor.name;
    sandbox.runtime.onLog((line) => {
      if (line.functionName !== processor) return;
      const report = readBatchReport(line.json);
      if (!report) return;
      const seqs = report.processed.filter((p) => p.runId === this.runId).map((p) => p.seq);
      this.processed.push(...seqs);
      this.processedBy.set(line.requestId, [...(this.processedBy.get(line.requestId) ?? []), ...seqs]);
      for (const f of report.failed) {
        if (f.runId === undefined || f.runId === this.runId)
          this.failed.push({ seq: f.seq, partition: f.partition, offset: f.offset, reason: f.reason, requestId: line.requestId });
      }
    });
    sandbox.runtime.onInvocation((record) => {
      if (record.functionName === processor) this.invocations.push(record);
    });
  }

  uniqueProcessed(): Set<number> {
    return new Set(this.processed);
  }

  outcomes(outcome: InvocationRecord['outcome']): InvocationRecord[] {
    return this.invocations.filter((i) => i.outcome === outcome);
  }

  /** Reads (and deletes) what reached the sandbox's dead-letter places so far. */
  async drainDeadLetters(sandbox: Sandbox, ledger: Ledger | undefined): Promise<void> {
    const sqs = sandbox.sqsClient();
    if (!sqs) return;
    if (sandbox.queues.onFailure && !this.destinationGone) {
      if (!ledger) throw new Error('mapping destination offsets to seqs needs the ledger');
      for (const body of await drainQueue(sqs, sandbox.queues.onFailure.url, SHORT_POLL)) {
        const record = JSON.parse(body) as OnFailureRecord;
        this.destinationMessages.push(record);
        for (const seq of seqsNamedBy(record, ledger)) this.deadLettered.add(seq);
      }
    }
    if (sandbox.queues.buffer) {
      for (const body of await drainQueue(sqs, sandbox.queues.buffer.dlqUrl, SHORT_POLL)) {
        const { runId, seq } = bookingIdentity(body);
        if (runId === this.runId && seq !== undefined) this.deadLettered.add(seq);
      }
    }
  }

  /** Seqs of the ledger that no outcome covers yet. */
  missing(ledger: Ledger): number[] {
    const done = this.uniqueProcessed();
    return ledger.entries.map((e) => e.seq).filter((seq) => !done.has(seq) && !this.filtered.has(seq) && !this.deadLettered.has(seq) && !this.dropped.has(seq));
  }

  account(ledger: Ledger): Accounting {
    return account({
      published: ledger.entries.map((e) => e.seq),
      processed: this.processed,
      filtered: [...this.filtered],
      deadLettered: [...this.deadLettered],
      dropped: [...this.dropped],
    });
  }
}

/** Polled while a test settles: ElasticMQ is one node, so one empty short poll is exact. */
const SHORT_POLL = { waitTimeSeconds: 0, emptyPolls: 1 };

export async function ledgerOf(sandbox: Sandbox, runId: string, expected: number): Promise<Ledger> {
  return readLedger({ brokers: sandbox.brokers.split(','), topic: sandbox.topic, runId, expected, timeoutMs: 60_000 });
}

/** True when neither mapping has a batch in flight or records waiting. */
export function quiet(sandbox: Sandbox): boolean {
  const { kafkaEsm, sqsEsm } = sandbox.snapshot();
  const kafkaQuiet = kafkaEsm.concurrency === 0 && kafkaEsm.waiting === 0 && kafkaEsm.offsetLag === 0;
  const sqsQuiet = !sqsEsm || (sqsEsm.concurrency === 0 && sqsEsm.queueDepth === 0 && sqsEsm.inFlightMessages === 0);
  return kafkaQuiet && sqsQuiet;
}

/**
 * Waits until every event of the ledger has an outcome and the pipeline is quiet (so late
 * duplicates are counted too), reading dead letters as it goes. Bounded: fails with the seqs
 * still missing.
 */
export async function settle(sandbox: Sandbox, observer: RunObserver, ledger: Ledger, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietSince: number | undefined;
  for (;;) {
    await observer.drainDeadLetters(sandbox, ledger);
    const missing = observer.missing(ledger);
    const calm = missing.length === 0 && quiet(sandbox);
    quietSince = calm ? (quietSince ?? Date.now()) : undefined;
    if (quietSince !== undefined && Date.now() - quietSince >= 1_000) return;
    if (Date.now() > deadline) {
      const snap = sandbox.snapshot();
      throw new Error(
        `not settled after ${timeoutMs / 1000} s: ${missing.length} of ${ledger.entries.length} events have no outcome yet (first: ${missing.slice(0, 10).join(', ')}); ` +
          `Kafka ESM in flight ${snap.kafkaEsm.concurrency}, waiting ${snap.kafkaEsm.waiting}, lag ${snap.kafkaEsm.offsetLag}` +
          (snap.sqsEsm ? `; SQS ESM busy ${snap.sqsEsm.concurrency}, queue depth ${snap.sqsEsm.queueDepth}` : ''),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export interface FaultReport {
  /** e.g. "broker SIGKILL+restart (lab 1)" */
  fault: string;
  accounting: Accounting;
  /** Why the duplicates (or why there are none). */
  duplicates: string;
  /** What AWS does in the same case, with the sandbox/MODEL.md "Faults" row it comes from. */
  aws: string;
  /** Further facts the test observed (retries, timeouts, ...), one per line. */
  notes?: string[];
}

/** Prints the test's accounting as one block, and asserts the rules every fault test holds to. */
export function reportFault(report: FaultReport): void {
  const a = report.accounting;
  const lines = [
    `[fault] ${report.fault}: published ${a.published} = processed ${a.processed} + filtered ${a.filtered} + dead-lettered ${a.deadLettered}${a.dropped > 0 ? ` + dropped ${a.dropped}` : ''}; ` +
      `lost ${a.lost}; duplicates ${a.duplicated} (${report.duplicates})`,
    ...(report.notes ?? []).map((note) => `        ${note}`),
    `        AWS: ${report.aws}`,
  ];
  console.log(lines.join('\n'));
  // The AWS statement names its row of sandbox/MODEL.md's Faults section, which must exist.
  const row = /\(sandbox\/MODEL\.md, Faults: "([^"]+)"\)$/.exec(report.aws)?.[1];
  assert.ok(row, 'the AWS statement ends with (sandbox/MODEL.md, Faults: "<row>")');
  assert.ok(readFileSync(new URL('../../sandbox/MODEL.md', import.meta.url), 'utf8').includes(`| **${row}**`), `sandbox/MODEL.md has a Faults row "${row}"`);
  assert.is(a.lost, 0, `lost ${a.lost}: ${a.lostSeqs.join(', ')}`);
  assert.equal(a.unknownSeqs, [], 'no outcome for a seq that was never published');
  assert.is(a.processed + a.filtered + a.deadLettered + a.dropped, a.published, 'published = processed + filtered + dead-lettered + dropped');
}

/** Duplicated seqs, all of them (account() keeps 20). */
export function duplicatedSeqs(observer: RunObserver): number[] {
  const counts = new Map<number, number>();
  for (const seq of observer.processed) counts.set(seq, (counts.get(seq) ?? 0) + 1);
  for (const seq of observer.deadLettered) counts.set(seq, (counts.get(seq) ?? 0) + 1);
  for (const seq of observer.filtered) counts.set(seq, (counts.get(seq) ?? 0) + 1);
  for (const seq of observer.dropped) counts.set(seq, (counts.get(seq) ?? 0) + 1);
  return [...counts].filter(([, n]) => n > 1).map(([seq]) => seq);
}
