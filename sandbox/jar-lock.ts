// The jar lock, sandbox/jvm/jars.lock.json: for each sandbox component, the exact jars of its
// classpath (in Maven's classpath order), each with its path in a Maven 2 repository, its size and
// its sha256. `npm run sandbox:lock` (lock-jars.ts) writes it from the poms with Maven; the fetch
// (jars.ts) needs only the lock and HTTPS, so a learner never needs Maven.
//
// The lock names no host: paths are relative to the repository, Maven Central unless
// WORKSHOP_MAVEN_MIRROR names another (a venue's proxy). The sha256 sums make any mirror as
// trustworthy as Central.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SandboxError } from './errors.ts';

export type Component = 'kafka' | 'elasticmq' | 'schema-registry';
export const COMPONENTS: readonly Component[] = ['kafka', 'elasticmq', 'schema-registry'];
/**
 * Needed by one optional lab only (the schema registry's 142 MB archive): its first run fetches it,
 * so the first labs' download and the doctor do not count on it. `npm run sandbox:fetch` fetches it too.
 */
export const ON_DEMAND_COMPONENTS: readonly Component[] = ['schema-registry'];

export const JVM_DIR = join(dirname(fileURLToPath(import.meta.url)), 'jvm');
export const LOCK_FILE = join(JVM_DIR, 'jars.lock.json');
const REPO_ROOT = dirname(dirname(JVM_DIR));

export const MAVEN_CENTRAL = 'https://repo1.maven.org/maven2/';
export const MIRROR_VARIABLE = 'WORKSHOP_MAVEN_MIRROR';
/** What regenerates the lock; error messages name it. */
export const LOCK_COMMAND = 'npm run sandbox:lock';

export interface LockedJar {
  /** groupId:artifactId:version, or groupId:artifactId:type:classifier:version. */
  coordinates: string;
  /**
   * Path in a Maven 2 repository, e.g. org/apache/kafka/kafka-clients/4.4.0/kafka-clients-4.4.0.jar;
   * a .tar.gz is an application archive (see ARCHIVE_SUFFIX).
   */
  path: string;
  size: number;
  sha256: string;
}

export interface LockedComponent {
  version: string;
  /** pomSha256 of the pom the jars were resolved from: a pom edited since makes the lock stale. */
  pomSha256: string;
  jars: LockedJar[];
}

export interface JarLock {
  about: string;
  components: Record<Component, LockedComponent>;
}

export const LOCK_ABOUT =
  'Written by `npm run sandbox:lock` (sandbox/lock-jars.ts) from sandbox/jvm/<component>/pom.xml; do not edit. ' +
  'Paths are relative to a Maven 2 repository: Maven Central, or $WORKSHOP_MAVEN_MIRROR.';

/** A path as the repository names it, for messages. */
export function shown(path: string): string {
  const rel = relative(REPO_ROOT, path);
  return rel.startsWith('..') ? path : rel;
}

export function pomPath(component: Component): string {
  return join(JVM_DIR, component, 'pom.xml');
}

/** Hash of what a pom asks for: comments and layout do not count, so editing them leaves the lock fresh. */
export function pomSha256(component: Component): string {
  const text = readFileSync(pomPath(component), 'utf8')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A Quarkus application (the schema registry) is published only as an archive of its runner jar
 * and a lib/ folder of build-time-rewritten jars, so it is locked and fetched whole, then unpacked
 * beside itself (jars.ts).
 */
export const ARCHIVE_SUFFIX = '.tar.gz';

export function isArchive(jar: LockedJar): boolean {
  return jar.path.endsWith(ARCHIVE_SUFFIX);
}

/** The file name a jar has in the cache folder: the last part of its repository path. */
export function jarFileName(jar: LockedJar): string {
  return jar.path.slice(jar.path.lastIndexOf('/') + 1);
}

/** The lock, checked: a damaged or hand-edited lock is one error naming the field, never a half-run fetch. */
export function readLock(file = LOCK_FILE): JarLock {
  const fix = `regenerate it with \`${LOCK_COMMAND}\` (needs Maven) or restore it with \`git checkout ${shown(file)}\``;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `is not JSON (${(error as Error).message})`;
    throw new SandboxError(`The jar lock ${shown(file)} ${why}; ${fix}.`);
  }
  const problem = lockProblem(data);
  if (problem) throw new SandboxError(`The jar lock ${shown(file)} is not valid: ${problem}; ${fix}.`);
  return data as JarLock;
}

const HEX64 = /^[0-9a-f]{64}$/;

function lockProblem(data: unknown): string | undefined {
  if (!isObject(data) || !isObject(data.components)) return 'it has no "components" object';
  for (const component of COMPONENTS) {
    const entry = data.components[component];
    const at = `components.${component}`;
    if (!isObject(entry)) return `${at} is missing`;
    if (typeof entry.version !== 'string' || !entry.version) return `${at}.version is not a version string`;
    if (typeof entry.pomSha256 !== 'string' || !HEX64.test(entry.pomSha256)) return `${at}.pomSha256 is not 64 hex digits`;
    if (!Array.isArray(entry.jars) || entry.jars.length === 0) return `${at}.jars is not a list of jars`;
    const names = new Set<string>();
    for (const [i, jar] of entry.jars.entries()) {
      const j = `${at}.jars[${i}]`;
      if (!isObject(jar)) return `${j} is not an object`;
      if (typeof jar.coordinates !== 'string' || !/^[^:\s]+(:[^:\s]+){2,4}$/.test(jar.coordinates)) return `${j}.coordinates is not groupId:artifactId:version`;
      if (typeof jar.path !== 'string' || !/^[\w.-]+(\/[\w.-]+)+\.(jar|tar\.gz)$/.test(jar.path) || jar.path.split('/').some((p) => p === '..' || p === '.')) {
        return `${j}.path is not a relative repository path ending in .jar or ${ARCHIVE_SUFFIX}`;
      }
      if (!Number.isSafeInteger(jar.size) || (jar.size as number) <= 0) return `${j}.size is not a positive whole number of bytes`;
      if (typeof jar.sha256 !== 'string' || !HEX64.test(jar.sha256)) return `${j}.sha256 is not 64 lower-case hex digits`;
      const name = jarFileName(jar as unknown as LockedJar);
      if (names.has(name)) return `${at} has two jars named ${name}`;
      names.add(name);
    }
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The base URL of the Maven 2 repository to fetch from, ending in '/': $WORKSHOP_MAVEN_MIRROR when
 * set, else Maven Central.
 */
export function repositoryBase(env: NodeJS.ProcessEnv = process.env): string {
  const value = env[MIRROR_VARIABLE]?.trim();
  if (!value) return MAVEN_CENTRAL;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash || url.username || url.password) {
    throw new SandboxError(
      `${MIRROR_VARIABLE}=${value} is not a repository URL; set it to the http(s) base URL of a Maven 2 repository that mirrors Maven Central, such as ${MIRROR_VARIABLE}=http://host:8081/repository/maven-central/, or unset it to fetch from Maven Central.`,
    );
  }
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

/** The URL of a repository file (a jar, or a jar's published checksum with `suffix` '.sha1'). */
export function repositoryUrl(base: string, path: string, suffix = ''): string {
  return `${base}${path}${suffix}`;
}
