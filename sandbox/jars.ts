// The sandbox servers run from Maven Central jars with the machine's Java. Each component has a pom
// under sandbox/jvm/<component>/ (never built); `mvn dependency:copy-dependencies` copies its jars
// once into a cache folder outside the repo:
//
//   ${WORKSHOP_CACHE:-${XDG_CACHE_HOME:-~/.cache}/kafka-lambda-workshop}/<component>-<version>/
//
// A marker file written after a complete fetch (holding the pom's hash) lets later runs skip Maven
// entirely; editing the pom fetches again. Fetches go to a temporary folder that is renamed into
// place, so an interrupted fetch never looks complete.

import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SandboxError } from './errors.ts';
import { findExecutable } from './executables.ts';
import { removeDir, tailFile } from './files.ts';
import { isPidAlive, markerArg, newMarker, startProcess } from './process.ts';

export type Component = 'kafka' | 'elasticmq';
export const COMPONENTS: readonly Component[] = ['kafka', 'elasticmq'];

const JVM_DIR = join(dirname(fileURLToPath(import.meta.url)), 'jvm');
const MARKER_FILE = '.complete';
/** Pinned so a fetch does not depend on whichever plugin version is newest that day. */
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const FETCH_TIMEOUT_MS = 15 * 60_000;

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
};

/** Version, pom path and labels of a component; the version is read from its pom. */
export function componentInfo(component: Component): ComponentInfo {
  const known = LABELS[component];
  if (!known) throw new SandboxError(`Unknown sandbox component "${component}"; use one of ${COMPONENTS.join(', ')}.`);
  const pom = join(JVM_DIR, component, 'pom.xml');
  const text = readFileSync(pom, 'utf8');
  const version = new RegExp(`<${component}\\.version>([^<]+)</${component}\\.version>`).exec(text)?.[1]?.trim();
  if (!version) throw new SandboxError(`${pom} has no <${component}.version> property; add it back.`);
  return { component, pom, version, ...known };
}

export interface JarSet {
  component: Component;
  version: string;
  /** The cache folder holding the jars. */
  dir: string;
  /** A java -cp value: "<dir>/*". */
  classpath: string;
  /** True when this call ran Maven (false: the cache was complete). */
  fetched: boolean;
}

export interface EnsureJarsOptions {
  env?: NodeJS.ProcessEnv;
  /** Cache root; default $WORKSHOP_CACHE or ~/.cache/kafka-lambda-workshop. */
  cacheRoot?: string;
  /** Extra Maven arguments, e.g. ['-s', 'settings.xml'] for a mirror. Also $WORKSHOP_MAVEN_ARGS. */
  mavenArgs?: string[];
  /** Progress lines ("fetching ..."); default: silent. */
  log?: (line: string) => void;
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WORKSHOP_CACHE) return env.WORKSHOP_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kafka-lambda-workshop');
}

/** Hash of what the pom asks for: comments and layout do not count, so editing them refetches nothing. */
function pomHash(pom: string): string {
  const text = readFileSync(pom, 'utf8')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return createHash('sha256').update(text).digest('hex');
}

function isComplete(dir: string, hash: string): boolean {
  try {
    const marker = JSON.parse(readFileSync(join(dir, MARKER_FILE), 'utf8')) as { pomSha256?: string };
    return marker.pomSha256 === hash;
  } catch {
    return false;
  }
}

const inFlight = new Map<string, Promise<JarSet>>();

/**
 * The jar folder of a component, fetching it with Maven on first use. Throws a SandboxError with
 * one sentence when Java or Maven is missing or the fetch fails.
 */
export function ensureJars(component: Component, options: EnsureJarsOptions = {}): Promise<JarSet> {
  const env = options.env ?? process.env;
  const info = componentInfo(component);
  const dir = join(options.cacheRoot ?? cacheRoot(env), `${component}-${info.version}`);
  const hash = pomHash(info.pom);
  if (isComplete(dir, hash)) {
    return Promise.resolve({ component, version: info.version, dir, classpath: join(dir, '*'), fetched: false });
  }
  const key = `${dir}\0${hash}`;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = fetchJars(info, dir, hash, env, options).finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

async function fetchJars(info: ComponentInfo, dir: string, hash: string, env: NodeJS.ProcessEnv, options: EnsureJarsOptions): Promise<JarSet> {
  const what = `the ${info.label} ${info.version} jars`;
  // Maven itself runs on Java: name a missing Java before a missing Maven.
  findJava(info.component, env, `fetch ${what} with Maven`);
  const mvn = findExecutable('mvn', env);
  if (!mvn) {
    throw new SandboxError(`Maven is needed once to fetch ${what} but \`mvn\` is not on PATH; install Maven (apt-get install maven) or ${info.bringYourOwn}.`);
  }

  const root = dirname(dir);
  mkdirSync(root, { recursive: true });
  const partial = `${dir}.partial-${process.pid}-${randomUUID().slice(0, 8)}`;
  const logFile = join(root, `${info.component}-${info.version}.maven.log`);
  writeFileSync(logFile, `# ${new Date().toISOString()} fetching ${what}\n`);
  const extra = [...(options.mavenArgs ?? []), ...splitArgs(env.WORKSHOP_MAVEN_ARGS)];
  const marker = newMarker('maven');
  options.log?.(`Fetching ${what} with Maven into ${dir} (once; later runs use the cache) ...`);
  const started = Date.now();
  const maven = startProcess({
    name: 'maven',
    command: mvn,
    args: [
      '-B',
      '--no-transfer-progress',
      markerArg(marker),
      '-f',
      info.pom,
      ...extra,
      `${DEPENDENCY_PLUGIN}:copy-dependencies`,
      `-DoutputDirectory=${partial}`,
      '-DincludeScope=runtime',
    ],
    env,
    cwd: dirname(info.pom),
    logFile,
    marker,
  });
  const timer = setTimeout(() => void maven.stop(2_000), FETCH_TIMEOUT_MS);
  const exit = await maven.exited;
  clearTimeout(timer);

  try {
    if (exit.error) {
      throw new SandboxError(
        `Maven could not be started to fetch ${what} (${exit.error.message}); reinstall Maven (apt-get install maven) or ${info.bringYourOwn}.`,
      );
    }
    if (exit.code !== 0) {
      const reason = exit.signal ? `Maven was stopped by ${exit.signal}` : lastMeaningfulMavenLine(logFile);
      throw new SandboxError(
        `Maven could not fetch ${what}: ${reason}; check the network or your Maven settings (full log: ${logFile}) or ${info.bringYourOwn}.`,
      );
    }
    const jars = existsSync(partial) ? readdirSync(partial).filter((f) => f.endsWith('.jar')) : [];
    if (jars.length === 0) {
      throw new SandboxError(`Maven finished but copied no jar for ${what}; see ${logFile}, or ${info.bringYourOwn}.`);
    }
    writeFileSync(
      join(partial, MARKER_FILE),
      JSON.stringify({ component: info.component, version: info.version, pomSha256: hash, jars: jars.length, fetchedAt: new Date().toISOString() }, null, 2),
    );
    if (isComplete(dir, hash)) {
      removeDir(partial); // another process finished first
    } else {
      removeDir(dir); // an older or broken copy
      try {
        renameSync(partial, dir);
      } catch (error) {
        if (!isComplete(dir, hash)) throw error;
        removeDir(partial);
      }
    }
    options.log?.(`Fetched ${jars.length} jars for ${info.label} ${info.version} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    return { component: info.component, version: info.version, dir, classpath: join(dir, '*'), fetched: true };
  } finally {
    removeDir(partial);
  }
}

function splitArgs(value: string | undefined): string[] {
  return value ? value.split(/\s+/).filter(Boolean) : [];
}

/** The most telling [ERROR] line of a failed Maven run, without Maven's boilerplate. */
export function lastMeaningfulMavenLine(logFile: string): string {
  const lines = tailFile(logFile, 200)
    .split('\n')
    .map((l) => l.replace(/\u001b\[[0-9;]*m/g, '').trim());
  const boilerplate = [
    /^\[ERROR\]\s*$/,
    /^\[ERROR\] -> \[Help/,
    /^\[ERROR\] To see the full stack trace/,
    /^\[ERROR\] Re-run Maven/,
    /^\[ERROR\] For more information/,
    /^\[ERROR\] \[Help \d+\]/,
  ];
  const errors = lines.filter((l) => l.startsWith('[ERROR]') && !boilerplate.some((re) => re.test(l)));
  const pick = errors[0] ?? lines.filter((l) => l && !l.startsWith('#')).pop() ?? 'no output';
  const text = pick
    .replace(/^\[ERROR\]\s*/, '')
    .replace(/\s*-> \[Help \d+\]\s*$/, '')
    .replace(/\s+/g, ' ');
  // Maven chains causes as "outer: inner: root cause"; keep the outer clause and the root cause.
  const clauses = text.split(': ').filter((c, i) => !(i === 0 && /^Failed to execute goal/.test(c)));
  let short = clauses.join(': ');
  if (short.length > 300 && clauses.length > 2) short = `${clauses[0]}: ... ${clauses.slice(-2).join(': ')}`;
  return short.length > 400 ? `${short.slice(0, 400)}...` : short;
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
  const id = createHash('sha256').update(`${java.path}\n${java.versionLine}`).digest('hex').slice(0, 12);
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
  const install = `install it (apt-get install openjdk-17-jre-headless) or ${info.bringYourOwn}`;
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
    `Java ${min} or newer is needed to ${doing} but ${java.path} is Java ${java.major}; install a newer one (apt-get install openjdk-17-jre-headless) and point JAVA_HOME at it, or ${bringYourOwn}.`,
  );
}
