// Memory of a JVM (the Kafka broker) by pid: RSS from /proc and the heap after a full GC.
//
// Heap: `jcmd <pid> GC.class_histogram` then `GC.heap_info`, in one jcmd call (-f). A class
// histogram without -all starts with a full, stop-the-world collection (GC cause "Heap
// Inspection Initiated GC"), so the heap_info printed right after it is the live set, not the
// live set plus whatever garbage the young and old generations hold at that moment. `GC.run` is
// not used: the broker runs with -XX:+ExplicitGCInvokesConcurrent (sandbox/kafka-broker.ts), so
// GC.run only starts a concurrent G1 cycle and returns before old-generation garbage is freed,
// and `jstat -gc` reads the spaces as they are (sawing up and down with every young GC). The
// full GC pauses the broker for a few tens of milliseconds per sample (live set ~30-100 MB).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface JvmMemory {
  /** Heap used after the full GC, bytes. */
  heapUsedBytes: number;
  /** Heap committed (the "total" of GC.heap_info), bytes. */
  heapCommittedBytes: number;
  /** Live bytes the histogram counted (same collection): a cross-check of heapUsedBytes. */
  liveBytes: number | undefined;
  /** Resident set of the whole JVM process (heap, metaspace, threads, direct buffers, code, mapped files). */
  resident: ResidentMemory;
  /**
   * Resident pages of the Java heap's reserved range (from /proc/<pid>/smaps). The JVM touches its
   * committed heap a region at a time, so this grows towards the committed size for a while
   * whatever the live set; the rest of the RSS is where a native leak would show.
   */
  heapResidentBytes: number | undefined;
  /** Wall time of the jcmd call (a JVM start, the full GC, the two commands). */
  jcmdMs: number;
}

export interface ResidentMemory {
  /** VmRSS: all resident pages. */
  rssBytes: number;
  /** RssAnon: heap, stacks, malloc arenas (what a leak grows). */
  anonBytes: number;
  /** RssFile: resident pages of mapped files (code, jars, Kafka's memory-mapped index files). */
  fileBytes: number;
}

/** From /proc/<pid>/status (pid "self" for this process); undefined when the process is gone. */
export function residentMemory(pid: number | 'self'): ResidentMemory | undefined {
  try {
    return parseStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

export function parseStatus(status: string): ResidentMemory | undefined {
  const kb = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  };
  const rssBytes = kb('VmRSS');
  if (rssBytes === undefined) return undefined;
  return { rssBytes, anonBytes: kb('RssAnon') ?? rssBytes, fileBytes: kb('RssFile') ?? 0 };
}

/**
 * "garbage-first heap   total 262144K, used 32986K [0x00000000e0000000, 0x0000000100000000)" (G1;
 * other collectors print the same shape): committed and used, and the heap's reserved address range.
 */
export function parseHeapInfo(text: string): { usedBytes: number; committedBytes: number; range?: [bigint, bigint] } | undefined {
  const match = /heap\s+total\s+(\d+)K,\s+used\s+(\d+)K(?:\s+\[0x([0-9a-f]+),\s*0x([0-9a-f]+)\))?/i.exec(text);
  if (!match) return undefined;
  const range: [bigint, bigint] | undefined = match[3] && match[4] ? [BigInt(`0x${match[3]}`), BigInt(`0x${match[4]}`)] : undefined;
  return { committedBytes: Number(match[1]) * 1024, usedBytes: Number(match[2]) * 1024, ...(range ? { range } : {}) };
}

/** Sum of the Rss of the mappings of /proc/<pid>/smaps that lie within [start, end). */
export function residentInRange(smaps: string, [start, end]: [bigint, bigint]): number {
  let total = 0;
  let inside = false;
  for (const line of smaps.split('\n')) {
    const mapping = /^([0-9a-f]+)-([0-9a-f]+)\s/.exec(line);
    if (mapping) {
      inside = BigInt(`0x${mapping[1]}`) >= start && BigInt(`0x${mapping[2]}`) <= end;
      continue;
    }
    if (inside) {
      const rss = /^Rss:\s+(\d+)\s+kB/.exec(line);
      if (rss) total += Number(rss[1]) * 1024;
    }
  }
  return total;
}

/** The last line of a class histogram: "Total   398262   30885536" (instances, bytes). */
export function parseHistogramTotal(text: string): number | undefined {
  const match = /^Total\s+\d+\s+(\d+)\s*$/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

let commandFile: string | undefined;

export async function sampleJvm(pid: number, timeoutMs = 20_000): Promise<JvmMemory> {
  if (!commandFile) {
    commandFile = join(mkdtempSync(join(tmpdir(), 'soak-jcmd-')), 'commands.txt');
    writeFileSync(commandFile, 'GC.class_histogram\nGC.heap_info\n');
  }
  const started = Date.now();
  const output = await new Promise<string>((resolve, reject) => {
    execFile('jcmd', [String(pid), '-f', commandFile!], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`jcmd ${pid} failed: ${error.message.split('\n')[0]} ${String(stderr).trim().slice(0, 200)}`));
      else resolve(stdout);
    });
  });
  const jcmdMs = Date.now() - started;
  const heap = parseHeapInfo(output);
  if (!heap) throw new Error(`jcmd ${pid}: no "heap total ..., used ..." line in GC.heap_info's output: ${output.slice(-300)}`);
  const resident = residentMemory(pid);
  if (resident === undefined) throw new Error(`the broker (pid ${pid}) is gone: /proc/${pid}/status cannot be read`);
  let heapResidentBytes: number | undefined;
  try {
    if (heap.range) heapResidentBytes = residentInRange(readFileSync(`/proc/${pid}/smaps`, 'utf8'), heap.range);
  } catch {
    // smaps unreadable: the breakdown is left out
  }
  return {
    heapUsedBytes: heap.usedBytes,
    heapCommittedBytes: heap.committedBytes,
    liveBytes: parseHistogramTotal(output),
    resident,
    heapResidentBytes,
    jcmdMs,
  };
}
