// The sandbox's schema registry: Apicurio Registry 2.6 (a Quarkus application, the archive
// sandbox/jvm/schema-registry/pom.xml locks, unpacked by jars.ts), whose /apis/ccompat/v7 API
// speaks the Confluent Schema Registry REST API: what AWS's Kafka ESM and a Confluent producer ask
// of a registry (register a schema under a subject, get a schema by id, list subjects and
// versions, check compatibility). Bound to 127.0.0.1 on a free port, storage in memory (an H2
// database inside the JVM): a restart empties it, so a lab registers its schemas after each start.
//
// Compatibility: Confluent's registry defaults to BACKWARD ("The default compatibility mode is
// BACKWARD", https://docs.confluent.io/platform/8.4/schema-registry/fundamentals/schema-evolution.html);
// Apicurio enforces no rule until one is
// set, and its ccompat GET /config reports only a rule set through the API. So a start sets the
// global level with PUT /config before it returns, and both the check and the report say BACKWARD.
// Apicurio answers as Confluent's does where the workshop looks (Confluent's API reference,
// https://docs.confluent.io/platform/current/schema-registry/develop/api.html): an incompatible
// schema is HTTP 409 (error_code 409), an unknown schema id HTTP 404 with error_code 40403, and
// the same schema registered under two subjects has one id (test/sandbox/schema-registry.test.ts).
//
// Nothing leaves the machine: authentication (OIDC, which would call a Keycloak) and Sentry error
// reporting are off by default and are switched off explicitly too, since Apicurio reads
// AUTH_ENABLED and ENABLE_SENTRY from the environment a learner may have set for something else.
//
// SCHEMA_REGISTRY_URL=http://host:port (a Confluent-compatible base URL) skips all of this and
// uses that registry (stop is a no-op; its compatibility level is left as it is).

import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sleep } from './clock.ts';
import { SandboxError } from './errors.ts';
import { removeDir } from './files.ts';
import { assertPortFree, freePort, LOOPBACK } from './free-port.ts';
import { classDataSharing, ensureJars, findJava } from './jars.ts';
import { type ManagedProcess, markerArg, newMarker, reapOrphans, startProcess } from './process.ts';
import { serverControls } from './server-controls.ts';

/** Where Apicurio serves the Confluent Schema Registry API. */
export const CONFLUENT_API_PATH = '/apis/ccompat/v7';
/** Confluent Schema Registry's default compatibility level, which the sandbox's registry enforces too. */
export const DEFAULT_COMPATIBILITY = 'BACKWARD';
/** The media type Confluent's API speaks. */
export const SCHEMA_REGISTRY_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const MAX_PORT_ATTEMPTS = 3;
/**
 * The first stop writes the class-data archive (jars.ts) of about 57 MB: 3 s on an idle laptop,
 * 10 s measured on a busy 2-core machine; later stops take a tenth of a second.
 */
const STOP_GRACE_MS = 30_000;

export interface SchemaRegistryOptions {
  /** Port; default a free one. */
  port?: number;
  /** Folder for the log; default a temp folder removed by stop(). */
  dataDir?: string;
  keepDataDir?: boolean;
  /** JVM heap in MB; default 256. */
  heapMb?: number;
  /** How long to wait for the API to answer; default 60 s. */
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Start the embedded registry even when SCHEMA_REGISTRY_URL is set. */
  ignoreEnv?: boolean;
  cacheRoot?: string;
  /** Grace period between SIGTERM and SIGKILL in stop(); default 30 s (STOP_GRACE_MS). */
  stopGraceMs?: number;
}

export interface SchemaRegistrySandbox {
  /** The Confluent API's base URL, e.g. "http://127.0.0.1:40123/apis/ccompat/v7" (or $SCHEMA_REGISTRY_URL). */
  url: string;
  external: boolean;
  /** Apicurio Registry version of the embedded server; undefined when external. */
  version: string | undefined;
  dataDir: string | undefined;
  logFile: string | undefined;
  pid: number | undefined;
  port: number | undefined;
  /** Milliseconds from the call to a ready registry (fetch and unpacking excluded). */
  startMs: number;
  isRunning(): boolean;
  /** Graceful stop (SIGTERM, SIGKILL after the grace period); removes a temp data dir. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL now (fault tests). */
  kill9(): Promise<void>;
}

export async function startSchemaRegistry(options: SchemaRegistryOptions = {}): Promise<SchemaRegistrySandbox> {
  const env = options.env ?? process.env;
  const started = Date.now();
  if (!options.ignoreEnv && env.SCHEMA_REGISTRY_URL) return useExternal(env.SCHEMA_REGISTRY_URL, options, started);

  const java = findJava('schema-registry', env);
  const jars = await ensureJars('schema-registry', { env, cacheRoot: options.cacheRoot });
  const runner = runnerJar(jars.unpacked[0]);
  await reapOrphans();
  const t0 = Date.now();

  const ownsDir = options.dataDir === undefined;
  const dataDir = ownsDir ? mkdtempSync(join(tmpdir(), 'workshop-schema-registry-')) : resolve(options.dataDir!);
  try {
    mkdirSync(dataDir, { recursive: true });
    if (options.port !== undefined) await assertPortFree(options.port, 'schema registry');
    const logFile = join(dataDir, 'schema-registry.log');
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort());
      const marker = newMarker('schema-registry');
      const heap = options.heapMb ?? 256;
      const cds = classDataSharing(jars, java, env);
      const proc = startProcess({
        name: 'schema-registry',
        command: java.path,
        args: [
          `-Xmx${heap}m`,
          `-Xms${Math.min(heap, 64)}m`,
          // C1 only and a serial collector: quick to warm up, light on a 2-core laptop.
          '-XX:TieredStopAtLevel=1',
          '-XX:+UseSerialGC',
          '-Djava.awt.headless=true',
          '-Djava.net.preferIPv4Stack=true',
          `-Dquarkus.http.host=${LOOPBACK}`,
          `-Dquarkus.http.port=${port}`,
          '-Dregistry.enable.sentry=false',
          '-Dregistry.auth.enabled=false',
          ...cds.args,
          markerArg(marker),
          '-jar',
          runner,
        ],
        env,
        cwd: dataDir,
        logFile,
        marker,
      });
      const url = `http://${LOOPBACK}:${port}${CONFLUENT_API_PATH}`;
      const timeout = options.readyTimeoutMs ?? 60_000;
      let outcome: 'ready' | 'timeout' | 'exited' | 'refused-config' = await waitUntilRegistryReady(url, timeout, proc);
      if (outcome === 'ready') outcome = await setCompatibility(url, DEFAULT_COMPATIBILITY);
      void proc.exited.then((exit) => cds.finish(exit, outcome === 'ready'));
      if (outcome === 'ready') {
        return {
          url,
          external: false,
          version: jars.version,
          dataDir,
          logFile,
          pid: proc.pid,
          port,
          startMs: Date.now() - t0,
          ...serverControls(proc, { dir: dataDir, owned: ownsDir, keep: options.keepDataDir, graceMs: options.stopGraceMs ?? STOP_GRACE_MS }),
        };
      }
      await proc.stop(2_000);
      const tail = proc.logTail(25);
      const detail = tail.trim() ? `--- last lines of ${logFile} ---\n${tail}` : `(the log ${logFile} is empty)`;
      if (outcome === 'timeout') {
        throw new SandboxError(
          `The schema registry on ${url} did not answer GET /subjects within ${(timeout / 1000).toFixed(1)} s, so it was stopped; raise readyTimeoutMs (a start takes about 5 s) or read its log ${logFile}.`,
          { detail },
        );
      }
      if (outcome === 'refused-config') {
        throw new SandboxError(
          `The schema registry on ${url} refused PUT /config {"compatibility":"${DEFAULT_COMPATIBILITY}"}, so it was stopped; read its log ${logFile}, or delete ${jars.dir} and run \`npm run sandbox:fetch\` again.`,
          { detail },
        );
      }
      if (/Address already in use|BindException|seems to be in use/i.test(tail)) {
        if (options.port === undefined && attempt < MAX_PORT_ATTEMPTS) continue; // lost a race for a free port
        throw new SandboxError(
          `The schema registry could not bind ${LOOPBACK}:${port} because another process uses it; stop that process, choose another port, or leave the port unset so a free one is chosen.`,
          { detail },
        );
      }
      const exit = proc.exitInfo();
      const how = exit?.signal ? `was killed by ${exit.signal}` : `exited with code ${exit?.code}`;
      throw new SandboxError(`The schema registry ${how} before it was ready; read its log ${logFile} for the cause.`, { detail });
    }
  } catch (error) {
    if (ownsDir && !options.keepDataDir) removeDir(dataDir);
    throw error;
  }
}

/** The Quarkus runner jar of the unpacked archive (its lib/ folder sits beside it). */
function runnerJar(folder: string | undefined): string {
  const name = folder ? readdirSync(folder).find((file) => file.endsWith('-runner.jar')) : undefined;
  if (!folder || !name) {
    throw new SandboxError(
      `The unpacked schema registry ${folder ?? '(no folder)'} has no *-runner.jar; delete that folder and run \`npm run sandbox:fetch\` to unpack the archive again.`,
    );
  }
  return join(folder, name);
}

async function useExternal(url: string, options: SchemaRegistryOptions, started: number): Promise<SchemaRegistrySandbox> {
  const timeout = options.readyTimeoutMs ?? 15_000;
  const base = url.replace(/\/+$/, '');
  if ((await waitUntilRegistryReady(base, timeout)) !== 'ready') {
    throw new SandboxError(
      `SCHEMA_REGISTRY_URL=${url} did not answer GET /subjects within ${(timeout / 1000).toFixed(1)} s; start that registry, fix the address (the base of its Confluent API, e.g. http://127.0.0.1:8081), or unset SCHEMA_REGISTRY_URL to use the embedded one.`,
    );
  }
  return {
    url: base,
    external: true,
    version: undefined,
    dataDir: undefined,
    logFile: undefined,
    pid: undefined,
    port: undefined,
    startMs: Date.now() - started,
    isRunning: () => true,
    stop: async () => {},
    kill9: async () => {
      throw new SandboxError(
        'Cannot crash the registry given by SCHEMA_REGISTRY_URL; unset SCHEMA_REGISTRY_URL to run fault tests on the embedded schema registry.',
      );
    },
  };
}

/** Polls GET /subjects until it answers 200, the process exits, or the timeout passes. */
export async function waitUntilRegistryReady(url: string, timeoutMs: number, proc?: ManagedProcess): Promise<'ready' | 'timeout' | 'exited'> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    if (proc && !proc.isRunning()) return 'exited';
    const left = deadline - Date.now();
    if (left <= 0) return 'timeout';
    try {
      const response = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(Math.max(1, Math.min(left, 3_000))) });
      await response.arrayBuffer();
      if (response.status === 200) return 'ready';
    } catch {
      // not yet
    }
    if (proc && !proc.isRunning()) return 'exited';
    if (Date.now() >= deadline) return 'timeout';
    await sleep(Math.min(100, Math.max(0, deadline - Date.now())));
  }
}

async function setCompatibility(url: string, level: string): Promise<'ready' | 'refused-config'> {
  try {
    const response = await fetch(`${url}/config`, {
      method: 'PUT',
      headers: { 'content-type': SCHEMA_REGISTRY_CONTENT_TYPE },
      body: JSON.stringify({ compatibility: level }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json().catch(() => undefined)) as { compatibility?: string } | undefined;
    return response.status === 200 && body?.compatibility === level ? 'ready' : 'refused-config';
  } catch {
    return 'refused-config';
  }
}
