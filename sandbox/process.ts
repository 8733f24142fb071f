// Child-process lifecycle for the sandbox servers (Kafka, ElasticMQ) and Maven when the jar lock is regenerated.
//
// What it guarantees:
// - every child writes stdout+stderr to a log file (appended, so a restart keeps the history);
// - stop() = SIGTERM, then SIGKILL after a grace period; kill9() = SIGKILL now (fault tests);
// - nothing is left behind: while a child runs, hooks on 'exit', SIGINT, SIGTERM, SIGHUP and
//   uncaught exceptions stop it (synchronously: SIGTERM, a short wait, then SIGKILL);
// - a parent that died without running its hooks (kill -9, OOM) leaves a registry entry
//   (a pidfile in the OS temp folder); the next start reaps such orphans. A child is recognised by
//   a unique marker in its command line, so a recycled pid is never killed by mistake.
//
// Children are spawned detached (their own process group): Ctrl-C in a terminal reaches only this
// process, which then stops them in order, instead of racing them. They are unref'd: a script that
// forgets stop() still exits, and the 'exit' hook stops its children.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delay, sleep } from './clock.ts';
import { tailFile } from './files.ts';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all (e.g. ENOENT). */
  error?: Error;
}

export interface StartProcessOptions {
  /** Short name used in messages and the registry, e.g. "kafka". */
  name: string;
  /** Absolute path of the executable (resolve it first: see findExecutable in executables.ts). */
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr are appended here. */
  logFile: string;
  /**
   * A unique string that appears in the command line (e.g. a -D system property), used to make
   * sure a pid from the registry still is our process before reaping it. Required: make one with
   * newMarker() and put it into args with markerArg().
   */
  marker: string;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Size of the log file when this process started: its own output begins here. */
  readonly logOffset: number;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;
  /** null while running. */
  exitInfo(): ExitInfo | null;
  isRunning(): boolean;
  /** SIGTERM, then SIGKILL after graceMs; resolves once the process is gone. Idempotent. */
  stop(graceMs?: number): Promise<ExitInfo>;
  /** SIGKILL now (a crash, for fault tests); resolves once the process is gone. */
  kill9(): Promise<ExitInfo>;
  /** Last lines this process wrote to its log. */
  logTail(lines?: number): string;
}

const DEFAULT_GRACE_MS = 10_000;
/** How long the synchronous exit hook waits after SIGTERM before SIGKILL. */
const EXIT_HOOK_GRACE_MS = 5_000;
const REGISTRY_DIR = join(tmpdir(), 'kafka-lambda-workshop-pids');

interface RegistryEntry {
  pid: number;
  ownerPid: number;
  name: string;
  marker: string;
  startedAt: string;
}

/** The children this process started and that have not exited yet. */
const live = new Map<number, { name: string; marker: string; child: ChildProcess }>();

/** A `-D` JVM/Maven system property carrying the marker. */
export function markerArg(marker: string): string {
  return `-Dworkshop.sandbox.marker=${marker}`;
}

export function newMarker(name: string): string {
  return `${name}-${randomUUID()}`;
}

export function startProcess(options: StartProcessOptions): ManagedProcess {
  const { name, command, args, logFile, marker } = options;
  let logOffset = 0;
  try {
    logOffset = statSync(logFile).size;
  } catch {
    // new file
  }
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
  } finally {
    closeSync(fd);
  }

  let info: ExitInfo | null = null;
  const exited = new Promise<ExitInfo>((resolve) => {
    const done = (result: ExitInfo) => {
      if (info) return;
      info = result;
      if (child.pid !== undefined) {
        live.delete(child.pid);
        removeRegistryEntry(child.pid);
      }
      updateHooks();
      resolve(result);
    };
    child.once('exit', (code, signal) => done({ code, signal }));
    child.once('error', (error) => done({ code: null, signal: null, error }));
  });

  const pid = child.pid ?? -1;
  if (pid > 0) {
    live.set(pid, { name, marker, child });
    writeRegistryEntry({ pid, ownerPid: process.pid, name, marker, startedAt: new Date().toISOString() });
    updateHooks();
    child.unref();
  }

  const send = (signal: NodeJS.Signals) => {
    if (info || pid <= 0) return;
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  };

  let stopping: Promise<ExitInfo> | null = null;
  const handle: ManagedProcess = {
    name,
    pid,
    logFile,
    logOffset,
    exited,
    exitInfo: () => info,
    isRunning: () => info === null && pid > 0,
    stop(graceMs = DEFAULT_GRACE_MS) {
      if (info) return Promise.resolve(info);
      stopping ??= (async () => {
        child.ref(); // keep the event loop alive until the exit is seen
        send('SIGTERM');
        const timer = delay(graceMs);
        const first = await Promise.race([exited, timer.promise.then(() => null)]);
        timer.cancel();
        if (first) return first;
        send('SIGKILL');
        return exited;
      })();
      return stopping;
    },
    kill9() {
      if (info) return Promise.resolve(info);
      child.ref();
      send('SIGKILL');
      return exited;
    },
    logTail: (lines = 30) => tailFile(logFile, lines, logOffset),
  };
  return handle;
}

/** True while `pid` is a running process (a zombie counts as gone). */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..." where S is the state; Z = zombie (exited, not reaped).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

/** True when `pid` runs and its command line carries `marker` (so it is that sandbox process). */
export function isMarkedProcess(pid: number, marker: string): boolean {
  return isPidAlive(pid) && (commandLineOf(pid)?.includes(marker) ?? false);
}

function commandLineOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Registry of children (pidfiles), for reaping orphans of a parent that died without its hooks.

function registryPath(pid: number): string {
  return join(REGISTRY_DIR, `${pid}.json`);
}

function writeRegistryEntry(entry: RegistryEntry): void {
  try {
    mkdirSync(REGISTRY_DIR, { recursive: true });
    writeFileSync(registryPath(entry.pid), JSON.stringify(entry));
  } catch {
    // best effort: the hooks still stop the child
  }
}

function removeRegistryEntry(pid: number): void {
  try {
    rmSync(registryPath(pid), { force: true });
  } catch {
    // ignore
  }
}

/**
 * Stops sandbox processes whose parent is gone (it was killed before it could stop them).
 * Called by every start; safe to call any time. Returns the pids it stopped.
 */
export async function reapOrphans(graceMs = 5_000): Promise<number[]> {
  let files: string[];
  try {
    files = readdirSync(REGISTRY_DIR).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const orphans: number[] = [];
  for (const file of files) {
    const path = join(REGISTRY_DIR, file);
    let entry: RegistryEntry;
    try {
      entry = JSON.parse(readFileSync(path, 'utf8')) as RegistryEntry;
    } catch {
      rmSync(path, { force: true });
      continue;
    }
    if (entry.ownerPid === process.pid || isPidAlive(entry.ownerPid)) continue;
    const cmdline = commandLineOf(entry.pid);
    if (isPidAlive(entry.pid) && cmdline !== null && cmdline.includes(entry.marker)) {
      orphans.push(entry.pid);
      try {
        process.kill(entry.pid, 'SIGTERM');
      } catch {
        // gone
      }
    } else {
      rmSync(path, { force: true });
    }
  }
  const deadline = Date.now() + graceMs;
  while (orphans.some(isPidAlive) && Date.now() < deadline) await sleep(100);
  for (const pid of orphans) {
    if (isPidAlive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    removeRegistryEntry(pid);
  }
  return orphans;
}

// ---------------------------------------------------------------------------------------------
// Process-exit hooks: installed while at least one child runs.

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

/** Synchronously stops every live child: SIGTERM, wait up to graceMs, SIGKILL the rest. */
export function killAllChildrenSync(graceMs = EXIT_HOOK_GRACE_MS): void {
  const pids = [...live.keys()];
  if (pids.length === 0) return;
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone
    }
  }
  const deadline = Date.now() + graceMs;
  while (pids.some(isPidAlive) && Date.now() < deadline) sleepSync(50);
  for (const pid of pids) {
    if (isPidAlive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    removeRegistryEntry(pid);
    live.delete(pid);
  }
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let hooksInstalled = false;

function onExit(): void {
  killAllChildrenSync();
}

function onUncaught(): void {
  // 'uncaughtExceptionMonitor' does not change Node's default crash; 'exit' follows and also
  // runs onExit, which then finds nothing left.
  killAllChildrenSync();
}

function onSignal(signal: NodeJS.Signals): void {
  killAllChildrenSync();
  uninstallHooks();
  // If nobody else listens for this signal, restore Node's default: die by the same signal.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function updateHooks(): void {
  if (live.size > 0 && !hooksInstalled) {
    hooksInstalled = true;
    process.on('exit', onExit);
    process.on('uncaughtExceptionMonitor', onUncaught);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  } else if (live.size === 0 && hooksInstalled) {
    uninstallHooks();
  }
}

function uninstallHooks(): void {
  if (!hooksInstalled) return;
  hooksInstalled = false;
  process.removeListener('exit', onExit);
  process.removeListener('uncaughtExceptionMonitor', onUncaught);
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
}

/** Pids of the children this process is running now (for tests and diagnostics). */
export function liveChildren(): number[] {
  return [...live.keys()];
}
