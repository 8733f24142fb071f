// Plain-language observations computed from a run's numbers, appended to its notes: what the
// measurements show, with the figures that show it.
import type { BacklogDrain } from './backlog-drain.ts';
import type { ContentionResult } from './contention.ts';
import type { ProbeResult } from './probe.ts';
import { type CaseResult, isFailed, type LatencyResult, type ProducerResult, type ThroughputResult } from './results.ts';

const pct = (v: number | undefined) => (v === undefined ? 'n/a' : `${Math.round(v * 100)}%`);
const n = (v: number | undefined) => (v === undefined ? 'n/a' : `${v}`);

/** ELU counts both: a loop that is runnable but not on a core still looks busy. */
function starvation(p: ProbeResult): string {
  if (p.mainThreadCores === undefined || p.mainThreadCpuWait === undefined || p.mainThreadCpuWait < 0.3) return '';
  return (
    ` The main thread was starved rather than overloaded: busy ${pct(p.mainThreadElu)} = on a core ${pct(p.mainThreadCores)} + waiting for a core ${pct(p.mainThreadCpuWait)}.` +
    ` The ESM pollers and the Lambda runtime's bookkeeping for every function (invoke payloads, log and metric lines) all run on this one thread, which has no priority over the Lambda worker threads and the broker's JVM threads on ${p.cores} cores; its event-loop delay (p99 ${Math.round(p.loopDelayP99Ms)} ms) lands on every batch it hands to a function.`
  );
}

function cpuSentence(p: ProbeResult): string {
  return (
    `the main thread's event loop was busy ${pct(p.mainThreadElu)} (on a core ${pct(p.mainThreadCores)}, waiting for one ${pct(p.mainThreadCpuWait)}; event-loop delay p99 ${Math.round(p.loopDelayP99Ms)} ms); ` +
    `this process used ${p.nodeCores} cores, the broker ${n(p.others.broker)}, other processes ${n(p.elsewhereCores)}: ${n(p.machineCores)} of ${p.cores} cores in all`
  );
}

function probes(results: CaseResult[]): Array<[string, ProbeResult]> {
  const out: Array<[string, ProbeResult]> = [];
  for (const r of results) {
    if (isFailed(r)) continue;
    if (r.kind === 'latency') out.push(['the latency case', r.probe]);
    if (r.kind === 'producer') for (const x of r.runs) out.push([`the producer run with ${x.shards} environment${x.shards > 1 ? 's' : ''}`, x.probe]);
    if (r.kind === 'throughput') for (const s of r.steps) out.push([`the ${s.ratePerSec}/s step`, s.probe]);
    // The busy runs are busy on purpose (the burner is counted apart from "elsewhere" only by name).
    if (r.kind === 'contention') for (const x of r.runs.filter((x) => x.burnerCores === 0)) out.push([`the quiet run of ${x.lab}`, x.probe]);
  }
  return out;
}

/** CPU time per event, in microseconds of one core. */
const cpuMicrosPerEvent = (cores: number | undefined, perSec: number) => (cores === undefined || perSec <= 0 ? undefined : Math.round((cores / perSec) * 1e6));

/** Why a throughput goal was missed, in the run's own figures: where the cores went. */
function throughputGoalReasons(tp: ThroughputResult, backlog: BacklogDrain): string[] {
  const goal = tp.case.goal.zeroLossPerSec;
  if ((tp.highestSustainedPerSec ?? 0) >= goal) return [];
  const esm = backlog.sandbox;
  const plain = backlog.plain;
  const esmCores = esm.probe.nodeCores;
  const plainCores = plain.probe.others.plainConsumer;
  const esmCost = cpuMicrosPerEvent(esmCores, esm.perSec);
  const plainCost = cpuMicrosPerEvent(plainCores, plain.perSec);
  const busiest = tp.steps.reduce<ThroughputResult['steps'][number] | undefined>(
    (a, b) => (a === undefined || (b.probe.machineCores ?? 0) > (a.probe.machineCores ?? 0) ? b : a),
    undefined,
  );
  const needed = esmCost === undefined ? undefined : Math.round((esmCost * goal) / 1e4) / 100;
  return [
    `Throughput goal (${goal} events/s with zero loss): reading a backlog with nothing else running, the ESM and its function used ${n(esmCores)} cores for ${Math.round(esm.perSec)} events/s (${n(esmCost)} µs of CPU per event), so ${goal} events/s of consumption alone needs about ${n(needed)} of the ${esm.probe.cores} cores, before the producer Lambdas and the broker` +
      (busiest
        ? `; in the steps the machine was at most ${n(busiest.probe.machineCores)} of ${busiest.probe.cores} cores busy (at ${busiest.ratePerSec}/s)`
        : '') +
      `. The plain kafkajs consumer read the same backlog at ${Math.round(plain.perSec)} events/s on ${n(plainCores)} cores (${n(plainCost)} µs per event)` +
      (esmCost !== undefined && plainCost
        ? `: per event the ESM path costs ${Math.round((esmCost / plainCost) * 10) / 10}× the CPU (base64 and JSON of each record, the invoke round trip to a worker thread, the function's own work and its log line).`
        : '.'),
  ];
}

export function findings(results: CaseResult[]): string[] {
  const notes: string[] = [];
  const latency = results.find((r): r is LatencyResult => r.kind === 'latency' && !isFailed(r));
  if (latency) {
    notes.push(
      `Latency case: the sandbox and the plain consumer read the same ${latency.published} events of one topic at the same time, each in its own consumer group; the difference is what the emulated ESM (fetch, batching, invoke) and the local Lambda runtime (worker thread round trip, log capture) add. AWS network and invoke overheads are not modelled, so on AWS the gap is larger.`,
    );
    if (latency.plain.endToEndMs.p50 > latency.sandbox.endToEndMs.p50) {
      notes.push(
        "Why the plain kafkajs consumer's median is higher: kafkajs's fetcher for a broker waits until every batch of its last fetch has been processed before it fetches again (node_modules/kafkajs/src/consumer/fetcher.js: 'Fetches data from all assigned nodes, waits for workerQueue to drain and repeats'), so with one broker a record that arrives while another record is in its timer waits for that record, then for a fetch round trip. The sandbox's ESM fetcher hands records to the rule engine without waiting for invocations (sandbox/kafka-esm/kafka-fetcher.ts), so it keeps fetching while the function runs, as AWS pollers do.",
      );
    }
  }
  const producer = results.find((r): r is ProducerResult => r.kind === 'producer' && !isFailed(r));
  const single = producer?.runs.find((x) => x.shards === 1);
  if (producer && single) {
    const best = producer.runs.reduce((a, b) => (b.publishedPerSec > a.publishedPerSec ? b : a));
    notes.push(
      `Producer: one producer Lambda environment published ${Math.round(single.publishedPerSec)} events/s of the ${producer.case.ratePerSec}/s offered (send delay p99 ${Math.round(single.sendDelayMs.p99)} ms); ` +
        (best.shards > 1
          ? `${best.shards} environments together published ${Math.round(best.publishedPerSec)}/s (${n(best.probe.machineCores)} of ${best.probe.cores} cores busy). `
          : `more environments did not publish faster (${producer.runs.map((x) => `${x.shards}: ${Math.round(x.publishedPerSec)}/s`).join(', ')}). `) +
        `While one environment published, ${cpuSentence(single.probe)}.`,
    );
  }
  const tp = results.find((r): r is ThroughputResult => r.kind === 'throughput' && !isFailed(r));
  const failedIndex = tp ? tp.steps.findIndex((s) => !s.keptUp) : -1;
  if (tp && failedIndex >= 0) {
    const step = tp.steps[failedIndex];
    const before = tp.steps[failedIndex - 1];
    const producerShort = step.publishedPerSec < tp.case.keepUpShare * step.ratePerSec;
    notes.push(
      `Throughput: at ${step.ratePerSec}/s the producers published ${Math.round(step.publishedPerSec)}/s (send delay p99 ${Math.round(step.sendDelayMs.p99)} ms)` +
        (producerShort ? ', so the offered load did not reach the topic on schedule' : ', on schedule') +
        `; the processor's invocations took ${Math.round(step.invocations.handlerMs.p50)} ms in the handler but ${Math.round(step.invocations.invokeMs.p50)} ms (p99 ${Math.round(step.invocations.invokeMs.p99)} ms) from the ESM's invoke call to its result; ` +
        `${cpuSentence(step.probe)}.` +
        (before
          ? ` At ${before.ratePerSec}/s: main thread busy ${pct(before.probe.mainThreadElu)}, waiting for a core ${pct(before.probe.mainThreadCpuWait)}, invoke p50 ${Math.round(before.invocations.invokeMs.p50)} ms, ${n(before.probe.machineCores)} of ${before.probe.cores} cores in all.`
          : '') +
        starvation(step.probe),
    );
  }
  const contention = results.find((r): r is ContentionResult => r.kind === 'contention' && !isFailed(r));
  for (const busy of contention?.runs.filter((run) => run.burnerCores > 0) ?? []) {
    const quiet = contention!.runs.find((run) => run.lab === busy.lab && run.burnerCores === 0);
    if (!quiet) continue;
    const missed = busy.targets.filter((t) => !t.pass).map((t) => `${t.name} ${t.actual} (target ${t.expected})`);
    notes.push(
      `Busy laptop, ${busy.lab}: p50 ${Math.round(quiet.endToEndMs.p50)} ms quiet, ${Math.round(busy.endToEndMs.p50)} ms with ${busy.burnerCores} core${busy.burnerCores > 1 ? 's' : ''} busy; p99 ${Math.round(quiet.endToEndMs.p99)} → ${Math.round(busy.endToEndMs.p99)} ms; ` +
        (busy.passed ? 'its local targets still held. ' : `its local targets did NOT hold: ${missed.join(', ')}. `) +
        `With the burner, ${cpuSentence(busy.probe)}.`,
    );
  }
  if (tp && !('error' in tp.backlog)) notes.push(...throughputGoalReasons(tp, tp.backlog));
  const busyElsewhere = probes(results).filter(([, p]) => (p.elsewhereCores ?? 0) >= 0.25);
  if (busyElsewhere.length > 0) {
    notes.push(
      `Other processes on this machine used CPU during ${busyElsewhere.map(([what, p]) => `${what} (${p.elsewhereCores} cores)`).join(', ')}: those figures are pessimistic; run the bench on an otherwise idle machine to compare runs.`,
    );
  }
  return notes;
}
