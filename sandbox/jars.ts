// The sandbox servers run from Maven Central jars with the machine's Java. The jars of each
// component are listed in sandbox/jvm/jars.lock.json (jar-lock.ts; `npm run sandbox:lock`
// regenerates it with Maven) and fetched over HTTPS into a cache folder outside the repo:
//
//   ${WORKSHOP_CACHE:-${XDG_CACHE_HOME:-~/.cache}/kafka-lambda-workshop}/<component>-<version>/
//
// A jar is used only when its size and sha256 are the lock's: a missing, partial or corrupt one is
// fetched again (download.ts resumes partial downloads), never run. Hashing every jar on every
// start would add a few tenths of a second (more from a cold disk), so a stamp file records each
// verified jar's size, mtime and inode: a jar whose stat still matches is trusted, any other is
// hashed again. verifyJars({ full: true }) hashes everything, for a doctor.

import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, type Stats, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import cliProgress from 'cli-progress';
import { DEFAULT_RETRY, DownloadError, downloadVerified, eachLimited, type RetryPolicy, sha256File } from './download.ts';
import { SandboxError } from './errors.ts';
import { findExecutable } from './executables.ts';
import { readJson } from './files.ts';
import { detectPlatform, installHint } from './install-hints.ts';
import {
  ARCHIVE_SUFFIX,
  COMPONENTS,
  type Component,
  isArchive,
  jarFileName,
  LOCK_COMMAND,
  LOCK_FILE,
  type LockedComponent,
  type LockedJar,
  MAVEN_CENTRAL,
  MIRROR_VARIABLE,
  pomPath,
  pomSha256,
  readLock,
  repositoryBase,
  repositoryUrl,
  shown,
} from './jar-lock.ts';
import { isPidAlive } from './process.ts';
import { unpackTarGz } from './unpack-archive.ts';

export { COMPONENTS, type Component } from './jar-lock.ts';

const STAMP_FILE = '.verified.json';
/** Jars downloaded at once: enough to hide a repository's latency, few enough for a venue's Wi-Fi. */
const PARALLEL_DOWNLOADS = 4;
/** Jars hashed at once: the disk reads while a core hashes. */
const PARALLEL_HASHES = 2;

interface ComponentInfo {
  component: Component;
  /** What a person calls it, e.g. "Kafka". */
  label: string;
  pom: string;
  version: string;
  /** Minimum Java feature version. */
  minJava: number;
  /** How to do without this component: the env variable that points at your own server. */
  bringYourOwn: string;
}

const LABELS: Record<Component, { label: string; minJava: number; bringYourOwn: string }> = {
  kafka: { label: 'Kafka', minJava: 17, bringYourOwn: 'set KAFKA_BROKERS=host:port to use your own broker' },
  elasticmq: {
    label: 'ElasticMQ',
    minJava: 11,
    bringYourOwn: 'set SQS_ENDPOINT=http://host:port to use your own SQS-compatible endpoint',
  },
  'schema-registry': {
    label: 'Apicurio Registry',
    minJava: 17,
    bringYourOwn: 'set SCHEMA_REGISTRY_URL=http://host:port to use your own Confluent-compatible schema registry',
  },
};

/** Version, pom path and labels of a component; the version is read from its pom. */
export function componentInfo(component: Component): ComponentInfo {
  const known = LABELS[component];
  if (!known) throw new SandboxError(`Unknown sandbox component "${component}"; use one of ${COMPONENTS.join(', ')}.`);
  const pom = pomPath(component);
  const text = readFileSync(pom, 'utf8');
  const version = new RegExp(`<${component}\\.version>([^<]+)</${component}\\.version>`).exec(text)?.[1]?.trim();
  if (!version) throw new SandboxError(`${shown(pom)} has no <${component}.version> property; add it back.`);
  return { component, pom, version, ...known };
}

export interface JarSet {
  component: Component;
  version: string;
  /** The cache folder holding the jars. */
  dir: string;
  /** The jars in the lock's (Maven's classpath) order. */
  jars: string[];
  /** A java -cp value: the jars, in order. Extra files in the folder are never on it. */
  classpath: string;
  /** The folders the lock's application archives were unpacked into, in lock order (ARCHIVE_SUFFIX). */
  unpacked: string[];
  /** True when this call downloaded jars (false: the cache was complete). */
  fetched: boolean;
}

interface LockOptions {
  env?: NodeJS.ProcessEnv;
  /** Cache root; default $WORKSHOP_CACHE or ~/.cache/kafka-lambda-workshop. */
  cacheRoot?: string;
  /** The lock to follow; default sandbox/jvm/jars.lock.json. */
  lockFile?: string;
}

export interface EnsureJarsOptions extends LockOptions {
  /** Progress lines ("Fetching ..."); default: silent. */
  log?: (line: string) => void;
  /** A one-line progress bar on stderr; default: when stderr is a terminal and CI is unset. */
  progress?: boolean;
  retry?: RetryPolicy;
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WORKSHOP_CACHE) return env.WORKSHOP_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kafka-lambda-workshop');
}

interface Locked {
  info: ComponentInfo;
  entry: LockedComponent;
  dir: string;
}

/** The component's lock entry and cache folder; a lock older than its pom is an error, not old jars. */
function locked(component: Component, options: LockOptions): Locked {
  const info = componentInfo(component);
  const lockFile = options.lockFile ?? LOCK_FILE;
  const entry = readLock(lockFile).components[component];
  if (entry.pomSha256 !== pomSha256(component)) {
    throw new SandboxError(
      `${shown(info.pom)} has changed since ${shown(lockFile)} was written; regenerate the lock with \`${LOCK_COMMAND}\` (needs Maven) and commit both, or undo the pom change.`,
    );
  }
  const dir = join(options.cacheRoot ?? cacheRoot(options.env ?? process.env), `${component}-${entry.version}`);
  return { info, entry, dir };
}

export interface JarProblem {
  /** The jar's file name in the cache folder. */
  file: string;
  coordinates: string;
  problem: 'missing' | 'size' | 'sha256' | 'unreadable';
  /** One line for a person, e.g. "kafka-clients-4.4.0.jar has 1024 bytes, the lock says 1333804". */
  detail: string;
}

export interface JarVerification {
  component: Component;
  version: string;
  dir: string;
  /** True when every jar was hashed; false when jars matching the stamp were trusted. */
  full: boolean;
  /** Jars in the lock. */
  jars: number;
  /** Jars hashed by this check. */
  hashed: number;
  /** In the lock's order; empty when the cache is complete. */
  problems: JarProblem[];
  ms: number;
}

interface StampEntry {
  sha256: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

/**
 * Checks the cached jars of a component against the lock. `full` hashes every jar; otherwise a
 * jar whose size, mtime and inode are those recorded when it was last verified is trusted. A
 * complete check records the stamp, so the next one is quick.
 */
export async function verifyJars(component: Component, options: LockOptions & { full?: boolean } = {}): Promise<JarVerification> {
  const where = locked(component, options);
  return check(where, options.full ?? false);
}

async function check({ info, entry, dir }: Locked, full: boolean): Promise<JarVerification> {
  const started = Date.now();
  const stamp = full ? {} : readStamp(dir);
  const found: Array<JarProblem | undefined> = [];
  const verified = new Map<string, StampEntry>();
  let hashed = 0;
  await eachLimited(entry.jars, PARALLEL_HASHES, async (jar, i) => {
    const file = jarFileName(jar);
    const problem = (kind: JarProblem['problem'], detail: string) => {
      found[i] = { file, coordinates: jar.coordinates, problem: kind, detail: `${file} ${detail}` };
    };
    let stat: Stats;
    try {
      stat = statSync(join(dir, file));
    } catch {
      return problem('missing', 'is missing');
    }
    if (stat.size !== jar.size) return problem('size', `has ${stat.size} bytes, the lock says ${jar.size}`);
    const known = stamp[file];
    const same = known && known.sha256 === jar.sha256 && known.size === stat.size && known.mtimeMs === stat.mtimeMs && known.ino === stat.ino;
    if (!same) {
      hashed++;
      let digest: string;
      try {
        digest = await sha256File(join(dir, file));
      } catch (error) {
        return problem('unreadable', `cannot be read (${(error as Error).message})`);
      }
      if (digest !== jar.sha256) return problem('sha256', `has sha256 ${digest}, the lock says ${jar.sha256}`);
    }
    verified.set(file, { sha256: jar.sha256, size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino });
  });
  const problems = found.filter((p): p is JarProblem => p !== undefined);
  if (problems.length === 0 && hashed > 0) writeStamp(dir, verified);
  return { component: info.component, version: entry.version, dir, full, jars: entry.jars.length, hashed, problems, ms: Date.now() - started };
}

function readStamp(dir: string): Record<string, StampEntry> {
  try {
    const data = JSON.parse(readFileSync(join(dir, STAMP_FILE), 'utf8')) as { jars?: Record<string, StampEntry> };
    return data.jars && typeof data.jars === 'object' ? data.jars : {};
  } catch {
    return {};
  }
}

function writeStamp(dir: string, jars: Map<string, StampEntry>): void {
  const temp = join(dir, `${STAMP_FILE}.${process.pid}-${randomUUID().slice(0, 8)}.tmp`);
  try {
    writeFileSync(temp, `${JSON.stringify({ verifiedAt: new Date().toISOString(), jars: Object.fromEntries(jars) }, null, 2)}\n`);
    renameSync(temp, join(dir, STAMP_FILE));
  } catch {
    // best effort: without a stamp the next start hashes again
    rmSync(temp, { force: true });
  }
}

const inFlight = new Map<string, Promise<JarSet>>();

/**
 * The jars of a component, verified against the lock, fetching what is missing or wrong first.
 * Throws a SandboxError with one sentence when the lock is stale or damaged, the mirror variable
 * is malformed, or the repository cannot serve a jar after bounded retries.
 */
export async function ensureJars(component: Component, options: EnsureJarsOptions = {}): Promise<JarSet> {
  const where = locked(component, options);
  const key = `${where.dir}\0${createHash('sha256').update(JSON.stringify(where.entry)).digest('hex')}`;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = complete(where, options).finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

async function complete(where: Locked, options: EnsureJarsOptions): Promise<JarSet> {
  const checked = await check(where, false);
  if (checked.problems.length > 0) {
    await fetchJars(where, checked.problems, options);
    const after = await check(where, false);
    if (after.problems.length > 0) {
      // Only another process rewriting the folder meanwhile gets here.
      throw new SandboxError(
        `The ${where.info.label} jars in ${where.dir} changed while they were fetched (${after.problems[0].detail}); run the command again.`,
      );
    }
  }
  const jars = where.entry.jars.map((jar) => join(where.dir, jarFileName(jar)));
  const unpacked: string[] = [];
  for (const jar of where.entry.jars.filter(isArchive)) unpacked.push(await ensureUnpacked(where, jar));
  return {
    component: where.info.component,
    version: where.entry.version,
    dir: where.dir,
    jars,
    classpath: jars.join(delimiter),
    unpacked,
    fetched: checked.problems.length > 0,
  };
}

const UNPACKED_MARK = '.unpacked-from.json';

/**
 * The folder a verified archive is unpacked into, beside it: unpacked once, into a temporary
 * folder renamed into place, so a half-unpacked folder is never used; the mark inside names the
 * archive's sha256, so a folder from other bytes is unpacked again.
 */
async function ensureUnpacked({ info, entry, dir }: Locked, jar: LockedJar): Promise<string> {
  const name = jarFileName(jar).slice(0, -ARCHIVE_SUFFIX.length);
  const folder = join(dir, name);
  if (readJson<{ sha256?: string }>(join(folder, UNPACKED_MARK))?.sha256 === jar.sha256) return folder;
  removeStaleUnpacking(dir, name);
  const temp = join(dir, `${name}.unpacking-${process.pid}-${randomUUID().slice(0, 8)}`);
  try {
    await unpackTarGz(join(dir, jarFileName(jar)), temp);
    writeFileSync(join(temp, UNPACKED_MARK), `${JSON.stringify({ archive: jar.path, sha256: jar.sha256 })}\n`);
    if (existsSync(folder)) {
      // Another process unpacked it meanwhile, or it is from other bytes: keep a good one.
      if (readJson<{ sha256?: string }>(join(folder, UNPACKED_MARK))?.sha256 === jar.sha256) return folder;
      rmSync(folder, { recursive: true, force: true });
    }
    renameSync(temp, folder);
    return folder;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      throw new SandboxError(
        `Could not unpack the ${info.label} ${entry.version} archive into ${folder} (${(error as Error).message}); free disk space or make the folder writable, or set WORKSHOP_CACHE to another folder.`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Deletes half-unpacked folders of processes that are gone. */
function removeStaleUnpacking(dir: string, name: string): void {
  for (const file of readdirSync(dir)) {
    const owner = file.startsWith(`${name}.unpacking-`) ? /\.unpacking-(\d+)-/.exec(file)?.[1] : undefined;
    if (owner && !isPidAlive(Number(owner))) rmSync(join(dir, file), { recursive: true, force: true });
  }
}

async function fetchJars({ info, entry, dir }: Locked, problems: JarProblem[], options: EnsureJarsOptions): Promise<void> {
  const env = options.env ?? process.env;
  const base = repositoryBase(env);
  const what = `the ${info.label} ${entry.version} jars`;
  const wanted = new Set(problems.map((p) => p.file));
  const jars = entry.jars.filter((jar) => wanted.has(jarFileName(jar)));
  // A wrong jar stays until its replacement is renamed over it: a process that verified its own
  // copy meanwhile must not lose it, and nothing runs a jar before checking it.
  const bytes = jars.reduce((sum, jar) => sum + jar.size, 0);
  const started = Date.now();
  const count = jars.length === entry.jars.length ? `the ${jars.length}` : `${jars.length} of the ${entry.jars.length}`;
  options.log?.(`Fetching ${count} ${info.label} ${entry.version} jars (${megabytes(bytes)}) from ${base} into ${dir} (once; later runs use the cache) ...`);
  const progress = startProgress(`${info.label} ${entry.version}`, bytes, jars.length, options.progress ?? (process.stderr.isTTY === true && !env.CI));
  const controller = new AbortController();
  let failure: unknown;
  try {
    mkdirSync(dir, { recursive: true });
    await eachLimited(jars, PARALLEL_DOWNLOADS, async (jar) => {
      try {
        await downloadVerified({
          url: repositoryUrl(base, jar.path),
          dest: join(dir, jarFileName(jar)),
          size: jar.size,
          sha256: jar.sha256,
          retry: options.retry ?? DEFAULT_RETRY,
          signal: controller.signal,
          onBytes: progress.add,
        });
        progress.fileDone();
      } catch (error) {
        // The first failure is the one to report; the others stop, keeping their partial files.
        if (!controller.signal.aborted) {
          failure = error;
          controller.abort();
        }
        throw error;
      }
    });
  } catch (error) {
    throw fetchError(failure ?? error, { what, dir, base, bringYourOwn: info.bringYourOwn });
  } finally {
    progress.stop();
  }
  removeLeftovers(dir, entry);
  options.log?.(`Fetched ${jars.length} ${info.label} ${entry.version} jars (${megabytes(bytes)}) in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

/** One sentence for a failed fetch: what the repository or the disk said, and what to change. */
function fetchError(error: unknown, context: { what: string; dir: string; base: string; bringYourOwn: string }): unknown {
  const { what, dir, base, bringYourOwn } = context;
  if (error instanceof DownloadError) {
    const tries = error.attempts === 1 ? 'not retried' : `after ${error.attempts} tries`;
    const fix =
      base === MAVEN_CENTRAL
        ? `check the network (a proxy or firewall may block ${new URL(base).host}) or set ${MIRROR_VARIABLE} to a mirror of Maven Central`
        : `check that ${MIRROR_VARIABLE}=${base} serves Maven Central's files, or unset it`;
    const resume = error.transient ? '; run the command again to resume' : '';
    return new SandboxError(`Could not fetch ${what}: ${error.url} failed with ${error.reason} (${tries}); ${fix}${resume}, or ${bringYourOwn}.`, {
      cause: error,
      transient: error.transient,
    });
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    return new SandboxError(
      `Could not write ${what} into ${dir} (${(error as Error).message}); free disk space or make the folder writable, or set WORKSHOP_CACHE to another folder.`,
      { cause: error },
    );
  }
  return error;
}

/**
 * After jars changed: class-data archives recorded with the old jars (a JVM would ignore them for
 * good, and none would be recorded again), and jars (or their partial downloads) the lock no longer lists.
 */
function removeLeftovers(dir: string, entry: LockedComponent): void {
  const listed = new Set(entry.jars.map(jarFileName));
  for (const name of readdirSync(dir)) {
    const jar = name.includes('.jar.part-') ? name.slice(0, name.indexOf('.part-')) : name;
    if (/^appcds-[0-9a-f]+\.jsa$/.test(name) || (jar.endsWith('.jar') && !listed.has(jar))) rmSync(join(dir, name), { force: true });
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

// One progress line for all the fetches of this process: Kafka and ElasticMQ are fetched at once
// when a lab needs both, and two bars would overwrite each other's line.
interface ProgressHandle {
  add(delta: number): void;
  fileDone(): void;
  stop(): void;
}

const line = { bar: undefined as cliProgress.SingleBar | undefined, users: 0, total: 0, value: 0, files: 0, done: 0, names: [] as string[] };

function startProgress(name: string, bytes: number, files: number, show: boolean): ProgressHandle {
  if (!show) return { add: () => undefined, fileDone: () => undefined, stop: () => undefined };
  const payload = () => ({
    what: line.names.join(' and '),
    mb: (line.value / 1e6).toFixed(1),
    totalMb: (line.total / 1e6).toFixed(1),
    done: line.done,
    files: line.files,
  });
  line.users++;
  line.total += bytes;
  line.files += files;
  line.names.push(name);
  if (!line.bar) {
    line.bar = new cliProgress.SingleBar(
      {
        format: 'Fetching the {what} jars |{bar}| {percentage}% · {mb}/{totalMb} MB · {done}/{files} jars',
        barsize: 20,
        hideCursor: true,
        clearOnComplete: false,
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    line.bar.start(line.total, line.value, payload());
  } else {
    line.bar.setTotal(line.total);
    line.bar.update(line.value, payload());
  }
  let stopped = false;
  return {
    add(delta) {
      line.value += delta;
      line.bar?.update(line.value, payload());
    },
    fileDone() {
      line.done++;
      line.bar?.update(line.value, payload());
    },
    stop() {
      if (stopped) return;
      stopped = true;
      line.users--;
      if (line.users === 0) {
        line.bar?.stop();
        Object.assign(line, { bar: undefined, total: 0, value: 0, files: 0, done: 0, names: [] });
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Class-data sharing (AppCDS): a JVM start spends most of its time loading and verifying classes;
// an archive of the classes one run loaded, mapped into the next runs, halves that (Kafka 4.4 on
// 2 cores: about 5 s to 2.5 s from launch to "Kafka Server started"). The first run of a component
// records the archive when it stops gracefully (-XX:ArchiveClassesAtExit, about a second more at
// stop); later runs use it. The archive sits next to the jars and is tied to the Java that made it;
// a JVM that cannot use it (another Java, changed jars) silently runs without it.
// WORKSHOP_CDS=0 turns this off.

export interface CdsPlan {
  /** JVM arguments to add. */
  args: string[];
  /**
   * Call after the JVM exited: keeps a newly recorded archive when the JVM was stopped gracefully
   * and `useful` (it got as far as serving), else deletes it.
   */
  finish(exit: { code: number | null; signal: NodeJS.Signals | null }, useful: boolean): void;
}

export function classDataSharing(jars: JarSet, java: JavaInfo, env: NodeJS.ProcessEnv = process.env, record = true): CdsPlan {
  const none: CdsPlan = { args: [], finish: () => undefined };
  if (env.WORKSHOP_CDS === '0' || java.major < 13) return none;
  // The classpath is part of the name: an archive only matches the jars, in the order, that recorded it.
  const id = createHash('sha256').update(`${java.path}\n${java.versionLine}\n${jars.classpath}`).digest('hex').slice(0, 12);
  const archive = join(jars.dir, `appcds-${id}.jsa`);
  // Recording warns about every class it cannot archive (old slf4j classes, ...): keep only errors.
  const quiet = '-Xlog:cds*=error';
  if (existsSync(archive)) return { args: [quiet, `-XX:SharedArchiveFile=${archive}`], finish: () => undefined };
  if (!record) return none;
  removeStaleRecordings(jars.dir);
  const pending = `${archive}.${process.pid}-${randomUUID().slice(0, 8)}.tmp`;
  return {
    args: [quiet, `-XX:ArchiveClassesAtExit=${pending}`],
    finish(exit, useful) {
      try {
        // SIGKILL leaves no (or a partial) archive; a JVM stopped by SIGTERM exits with 143.
        const graceful = exit.signal === null && (exit.code === 0 || exit.code === 143);
        if (useful && graceful && existsSync(pending) && statSync(pending).size > 0 && !existsSync(archive)) renameSync(pending, archive);
      } catch {
        // best effort: the next start records again
      } finally {
        rmSync(pending, { force: true });
      }
    },
  };
}

/** Deletes half-recorded archives of processes that are gone (stopped by an exit hook or killed). */
function removeStaleRecordings(dir: string): void {
  try {
    for (const file of readdirSync(dir)) {
      const owner = /^appcds-.*\.jsa\.(\d+)-[0-9a-f]+\.tmp$/.exec(file)?.[1];
      if (owner && !isPidAlive(Number(owner))) rmSync(join(dir, file), { force: true });
    }
  } catch {
    // ignore
  }
}

// ---------------------------------------------------------------------------------------------
// Java

export interface JavaInfo {
  path: string;
  /** Feature version: 17 for "17.0.15", 8 for "1.8.0_412". */
  major: number;
  versionLine: string;
}

const javaCache = new Map<string, JavaInfo>();

/**
 * The java executable to run a component with: $JAVA_HOME/bin/java when JAVA_HOME is set, else
 * `java` on PATH. Throws a SandboxError naming what to install (or which variable to set) when it
 * is missing or too old. `purpose` completes "Java N or newer is needed to ...".
 */
export function findJava(component: Component, env: NodeJS.ProcessEnv = process.env, purpose?: string): JavaInfo {
  const info = LABELS[component];
  const doing = purpose ?? `run the local ${info.label} server`;
  const fromHome = env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : null;
  const path = (fromHome && findExecutable(fromHome, env)) || findExecutable('java', env);
  const install = `install it (${installHint('java', detectPlatform())}) or ${info.bringYourOwn}`;
  if (!path) {
    const where = env.JAVA_HOME ? `JAVA_HOME=${env.JAVA_HOME} has no bin/java and PATH has none` : 'JAVA_HOME is not set and PATH has none';
    throw new SandboxError(`Java ${info.minJava} or newer is needed to ${doing} but no \`java\` was found (${where}); ${install}.`);
  }
  const cached = javaCache.get(path);
  if (cached) {
    if (cached.major < info.minJava) throw tooOld(cached, info.minJava, doing, info.bringYourOwn);
    return cached;
  }
  const run = spawnSync(path, ['-version'], { env, encoding: 'utf8', timeout: 20_000 });
  const output = `${run.stderr ?? ''}${run.stdout ?? ''}`;
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(output);
  if (run.status !== 0 || !match) {
    throw new SandboxError(`\`${path} -version\` failed (${(output.split('\n')[0] || run.error?.message || 'no output').trim()}); ${install}.`);
  }
  const first = Number(match[1]);
  const major = first === 1 ? Number(match[2]) : first;
  const java: JavaInfo = { path, major, versionLine: output.split('\n')[0].trim() };
  javaCache.set(path, java);
  if (major < info.minJava) throw tooOld(java, info.minJava, doing, info.bringYourOwn);
  return java;
}

function tooOld(java: JavaInfo, min: number, doing: string, bringYourOwn: string): SandboxError {
  return new SandboxError(
    `Java ${min} or newer is needed to ${doing} but ${java.path} is Java ${java.major}; install a newer one (${installHint('java', detectPlatform())}) and point JAVA_HOME at it, or ${bringYourOwn}.`,
  );
}
