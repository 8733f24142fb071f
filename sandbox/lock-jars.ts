// Writes the jar lock, sandbox/jvm/jars.lock.json, from the poms: Maven resolves each component's
// runtime dependencies (`dependency:list`, in classpath order), and each jar's sha256 and size are
// computed from the bytes Maven downloaded, after checking those bytes against the checksums the
// repository publishes beside the jar (.sha1, and .sha256 where there is one). Only a changed pom
// needs this, and Maven: learners fetch from the committed lock (jars.ts).
//
//   npm run sandbox:lock                          both components
//   npm run sandbox:lock -- -s settings.xml       extra Maven arguments (also $WORKSHOP_MAVEN_ARGS)
//
// Exits 1 with one sentence on failure; the lock is written only when both components resolved.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runsAsScript } from '../labs/entry-point.ts';
import { DownloadError, eachLimited, fetchText } from './download.ts';
import { SandboxError } from './errors.ts';
import { findExecutable } from './executables.ts';
import { removeDir, tailFile } from './files.ts';
import {
  ARCHIVE_SUFFIX,
  COMPONENTS,
  type Component,
  type JarLock,
  LOCK_ABOUT,
  LOCK_COMMAND,
  LOCK_FILE,
  type LockedComponent,
  type LockedJar,
  pomSha256,
  readLock,
  repositoryBase,
  repositoryUrl,
  shown,
} from './jar-lock.ts';
import { cacheRoot, componentInfo } from './jars.ts';
import { markerArg, newMarker, startProcess } from './process.ts';

/** Pinned so the resolution does not depend on whichever plugin version is newest that day. */
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const MAVEN_TIMEOUT_MS = 15 * 60_000;
/** Checksum files fetched at once. */
const PARALLEL_CHECKS = 8;

export interface GenerateLockOptions {
  env?: NodeJS.ProcessEnv;
  /** Extra Maven arguments, e.g. ['-s', 'settings.xml']; $WORKSHOP_MAVEN_ARGS adds more. */
  mavenArgs?: string[];
  log?: (line: string) => void;
}

/** The lock the poms resolve to today (nothing is written). */
export async function generateLock(options: GenerateLockOptions = {}): Promise<JarLock> {
  const env = options.env ?? process.env;
  const mvn = findExecutable('mvn', env);
  if (!mvn) {
    throw new SandboxError(
      `\`${LOCK_COMMAND}\` resolves the jars with Maven but \`mvn\` is not on PATH; install Maven (apt-get install maven, brew install maven). Learners do not need it: \`npm run sandbox:fetch\` fetches from the committed lock.`,
    );
  }
  const base = repositoryBase(env);
  const extra = [...(options.mavenArgs ?? []), ...(env.WORKSHOP_MAVEN_ARGS ?? '').split(/\s+/).filter(Boolean)];
  // allSettled: a failure of one must not return while the other's Maven still runs.
  const settled = await Promise.allSettled(COMPONENTS.map((component) => resolveComponent(component, { mvn, base, extra, env, log: options.log })));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  const entries = settled.map((s) => (s as PromiseFulfilledResult<LockedComponent>).value);
  return { about: LOCK_ABOUT, components: Object.fromEntries(COMPONENTS.map((c, i) => [c, entries[i]])) as Record<Component, LockedComponent> };
}

interface ResolveContext {
  mvn: string;
  base: string;
  extra: string[];
  env: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

async function resolveComponent(component: Component, context: ResolveContext): Promise<LockedComponent> {
  const info = componentInfo(component);
  const what = `the ${info.label} ${info.version} jars`;
  const work = mkdtempSync(join(tmpdir(), `workshop-lock-${component}-`));
  const listFile = join(work, 'dependencies.txt');
  // Beside the workshop's other logs, one per component, so a failure's log outlives the run.
  const logFile = join(cacheRoot(context.env), 'logs', `lock-${component}.maven.log`);
  mkdirSync(dirname(logFile), { recursive: true });
  writeFileSync(logFile, `# ${new Date().toISOString()} resolving ${what}\n`);
  try {
    return await resolveWithMaven(component, info, what, listFile, logFile, context);
  } finally {
    removeDir(work);
  }
}

async function resolveWithMaven(
  component: Component,
  info: ReturnType<typeof componentInfo>,
  what: string,
  listFile: string,
  logFile: string,
  context: ResolveContext,
): Promise<LockedComponent> {
  const marker = newMarker('maven');
  context.log?.(`Resolving ${what} with Maven (${shown(info.pom)}) ...`);
  const maven = startProcess({
    name: 'maven',
    command: context.mvn,
    args: [
      '-B',
      '--no-transfer-progress',
      markerArg(marker),
      '-f',
      info.pom,
      ...context.extra,
      `${DEPENDENCY_PLUGIN}:list`,
      '-DincludeScope=runtime',
      '-DoutputAbsoluteArtifactFilename=true',
      `-DoutputFile=${listFile}`,
    ],
    env: context.env,
    cwd: dirname(info.pom),
    logFile,
    marker,
  });
  const timer = setTimeout(() => void maven.stop(2_000), MAVEN_TIMEOUT_MS);
  const exit = await maven.exited;
  clearTimeout(timer);
  if (exit.error) throw new SandboxError(`Maven could not be started to resolve ${what} (${exit.error.message}); reinstall Maven (apt-get install maven).`);
  if (exit.code !== 0 || !existsSync(listFile)) {
    const reason = exit.signal ? `Maven was stopped by ${exit.signal}` : lastMeaningfulMavenLine(logFile);
    throw new SandboxError(`Maven could not resolve ${what}: ${reason}; check the network or your Maven settings (full log: ${logFile}).`);
  }
  const artifacts = parseDependencyList(readFileSync(listFile, 'utf8'), `${what} (${listFile})`);
  if (artifacts.length === 0) throw new SandboxError(`Maven resolved no jar for ${what}; check ${shown(info.pom)} (full log: ${logFile}).`);
  const jars: LockedJar[] = new Array(artifacts.length);
  await eachLimited(artifacts, PARALLEL_CHECKS, async (artifact, i) => {
    jars[i] = await lockJar(artifact, context.base);
  });
  context.log?.(`${info.label} ${info.version}: ${jars.length} jars, ${(jars.reduce((s, j) => s + j.size, 0) / 1e6).toFixed(1)} MB.`);
  return { version: info.version, pomSha256: pomSha256(component), jars };
}

interface Artifact {
  coordinates: string;
  /** Repository path. */
  path: string;
  /** Maven's local copy. */
  file: string;
}

/**
 * The lines of `dependency:list -DoutputAbsoluteArtifactFilename=true`:
 * "   group:artifact:jar[:classifier]:version:scope:/abs/path.jar[ -- module name]".
 */
export function parseDependencyList(text: string, what: string): Artifact[] {
  const artifacts: Artifact[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || /^The following files have been resolved:$/.test(line) || line === 'none') continue;
    const m = /^([^:\s]+):([^:\s]+):([^:\s]+)(?::([^:\s]+))?:([^:\s]+):(compile|runtime):(.+?)(?:\s+--\s+module\s.*)?$/.exec(line);
    if (!m) throw new SandboxError(`Maven listed ${what} in an unexpected form ("${line}"); check that ${DEPENDENCY_PLUGIN} is the plugin run.`);
    const [, group, artifact, type, classifier, version, , file] = m;
    // A tar.gz is an application published only as an archive (jar-lock.ts ARCHIVE_SUFFIX).
    if (type !== 'jar' && `.${type}` !== ARCHIVE_SUFFIX)
      throw new SandboxError(`${group}:${artifact} resolves to a ${type}, not a jar or an application ${ARCHIVE_SUFFIX}, for ${what}; exclude it in the pom.`);
    if (/SNAPSHOT/i.test(version))
      throw new SandboxError(`${group}:${artifact}:${version} is a snapshot, which changes under a lock, for ${what}; pin a release in the pom.`);
    const path = `${group.replace(/\./g, '/')}/${artifact}/${version}/${artifact}-${version}${classifier ? `-${classifier}` : ''}.${type}`;
    if (!file.replace(/\\/g, '/').endsWith(`/${path}`))
      throw new SandboxError(`Maven resolved ${group}:${artifact}:${version} to ${file}, not a repository path, for ${what}.`);
    artifacts.push({
      coordinates: classifier
        ? `${group}:${artifact}:${type}:${classifier}:${version}`
        : type === 'jar'
          ? `${group}:${artifact}:${version}`
          : `${group}:${artifact}:${type}:${version}`,
      path,
      file,
    });
  }
  return artifacts;
}

/** Size and sha256 of Maven's copy, once its bytes are the ones the repository publishes checksums of. */
async function lockJar(artifact: Artifact, base: string): Promise<LockedJar> {
  const bytes = readFileSync(artifact.file);
  const ours = { sha1: createHash('sha1').update(bytes).digest('hex'), sha256: createHash('sha256').update(bytes).digest('hex') };
  const published: Array<['sha1' | 'sha256', string]> = [];
  for (const [algorithm, length] of [
    ['sha1', 40],
    ['sha256', 64],
  ] as const) {
    const url = repositoryUrl(base, artifact.path, `.${algorithm}`);
    let text: string | undefined;
    try {
      text = await fetchText(url);
    } catch (error) {
      if (error instanceof DownloadError)
        throw new SandboxError(`Could not read the published checksum ${error.url}: ${error.reason}; check the network and run \`${LOCK_COMMAND}\` again.`);
      throw error;
    }
    if (text === undefined) continue;
    // Some repositories write "<hex>  <file name>".
    const sum = new RegExp(`\\b[0-9a-fA-F]{${length}}\\b`).exec(text)?.[0]?.toLowerCase();
    if (!sum) throw new SandboxError(`${url} holds no ${algorithm} sum ("${text.trim().slice(0, 80)}"); check that ${base} is a Maven 2 repository.`);
    published.push([algorithm, sum]);
  }
  if (published.length === 0) {
    throw new SandboxError(
      `${repositoryUrl(base, artifact.path)} has no published .sha1 or .sha256, so Maven's copy cannot be checked; check that ${base} mirrors Maven Central.`,
    );
  }
  for (const [algorithm, sum] of published) {
    if (sum !== ours[algorithm]) {
      throw new SandboxError(
        `Maven's copy of ${artifact.coordinates} (${artifact.file}) has ${algorithm} ${ours[algorithm]} but ${repositoryUrl(base, artifact.path, `.${algorithm}`)} says ${sum}; delete that file and run \`${LOCK_COMMAND}\` again.`,
      );
    }
  }
  return { coordinates: artifact.coordinates, path: artifact.path, size: bytes.length, sha256: ours.sha256 };
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

/** The lock file's text: what `generateLock` returned, as JSON. */
export function lockText(lock: JarLock): string {
  return `${JSON.stringify(lock, null, 2)}\n`;
}

async function main(): Promise<number> {
  try {
    const lock = await generateLock({ mavenArgs: process.argv.slice(2), log: (line) => console.log(line) });
    const text = lockText(lock);
    let before: string | undefined;
    try {
      before = lockText(readLock());
    } catch {
      // missing or damaged: written anew
    }
    if (before === text) {
      console.log(`${shown(LOCK_FILE)} is up to date.`);
      return 0;
    }
    const temp = `${LOCK_FILE}.${process.pid}.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, LOCK_FILE);
    console.log(`Wrote ${shown(LOCK_FILE)}; commit it with the pom change.`);
    return 0;
  } catch (error) {
    if (error instanceof SandboxError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

if (runsAsScript(import.meta.url)) process.exitCode = await main();
