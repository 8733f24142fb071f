// The jar fetch against a small Maven repository served on 127.0.0.1: a lock of a few generated
// files, fetched with nothing on PATH (no Maven), verified, resumed after a kill, refetched when
// corrupt, from the mirror the variable names; failures are one SandboxError after bounded tries.
// The same code against Maven Central is test/sandbox/jars-central.test.ts.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SandboxError } from '../../sandbox/errors.ts';
import { COMPONENTS, type JarLock, type LockedJar, pomSha256 } from '../../sandbox/jar-lock.ts';
import { ensureJars, verifyJars } from '../../sandbox/jars.ts';
import { rejection, tarGz, waitFor } from './helpers.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'workshop-jars-'));
/** A PATH with nothing on it: the fetch needs no mvn, no curl, no java. */
const emptyBin = join(scratch, 'empty-bin');
mkdirSync(emptyBin);
const QUICK_RETRY = { attempts: 3, firstDelayMs: 20 };

// ------------------------------------------------------------------ a small Maven repository

interface Served {
  path: string;
  range?: string;
  status: number;
  bytes: number;
}

class Repository {
  readonly files = new Map<string, Buffer>();
  readonly log: Served[] = [];
  /** Statuses to answer a path with before serving it. */
  readonly failures = new Map<string, number[]>();
  /** Paths served with these bytes instead of their own. */
  readonly replaced = new Map<string, Buffer>();
  /** Paths whose answer stops after this many bytes and then hangs. */
  readonly stallAfter = new Map<string, number>();
  honourRange = true;
  private server?: Server;
  base = '';

  constructor(readonly prefix: string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.answer(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as { port: number }).port}${this.prefix}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  requests(path: string): Served[] {
    return this.log.filter((r) => r.path === path);
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '';
    const path = url.startsWith(this.prefix) ? url.slice(this.prefix.length) : undefined;
    const range = req.headers.range;
    const send = (status: number, body: Buffer = Buffer.alloc(0), headers: Record<string, string | number> = {}) => {
      this.log.push({ path: path ?? url, range, status, bytes: body.length });
      res.writeHead(status, { 'content-length': body.length, ...headers });
      res.end(body);
    };
    const failure = path === undefined ? undefined : this.failures.get(path)?.shift();
    if (failure) return send(failure);
    const file = path === undefined ? undefined : (this.replaced.get(path) ?? this.files.get(path));
    if (!file || !path) return send(404);
    const start = this.honourRange && range ? Number(/^bytes=(\d+)-$/.exec(range)?.[1] ?? 0) : 0;
    const body = file.subarray(start);
    const headers: Record<string, string | number> = { 'content-type': 'application/java-archive' };
    if (start > 0) headers['content-range'] = `bytes ${start}-${file.length - 1}/${file.length}`;
    const stall = this.stallAfter.get(path);
    if (stall !== undefined) {
      this.log.push({ path, range, status: start > 0 ? 206 : 200, bytes: stall });
      res.writeHead(start > 0 ? 206 : 200, { 'content-length': body.length, ...headers });
      res.write(body.subarray(0, stall)); // and never the rest
      return;
    }
    send(start > 0 ? 206 : 200, body, headers);
  }
}

/** A lock whose components are a few generated files, with the real poms' hashes (it is fresh). */
function makeLock(repository: Repository, name: string, sizes: number[] = [300_000, 40_000, 1_000]): { lockFile: string; lock: JarLock } {
  const components = {} as JarLock['components'];
  for (const component of COMPONENTS) {
    const jars: LockedJar[] = sizes.map((size, i) => {
      const bytes = randomBytes(size);
      const path = `test/workshop/${name}-${component}-${i}/1.0/${name}-${component}-${i}-1.0.jar`;
      repository.files.set(path, bytes);
      return { coordinates: `test.workshop:${name}-${component}-${i}:1.0`, path, size, sha256: createHash('sha256').update(bytes).digest('hex') };
    });
    components[component] = { version: `0.0.1-${name}`, pomSha256: pomSha256(component), jars };
  }
  const lock: JarLock = { about: 'test', components };
  const lockFile = join(scratch, `${name}.lock.json`);
  writeFileSync(lockFile, JSON.stringify(lock, null, 2));
  return { lockFile, lock };
}

const repo = new Repository('/maven2/');
const mirror = new Repository('/venue/mirror/');
const children: ChildProcess[] = [];

test.before(async () => {
  await repo.start();
  await mirror.start();
});

test.after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await repo.stop();
  await mirror.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** An environment that fetches from `repository` into a fresh cache, with nothing on PATH. */
function setup(name: string, repository = repo, sizes?: number[]) {
  const { lockFile, lock } = makeLock(repository, name, sizes);
  const cache = join(scratch, `${name}-cache`);
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: emptyBin, WORKSHOP_CACHE: cache, WORKSHOP_MAVEN_MIRROR: repository.base };
  const jars = lock.components.kafka.jars;
  const dir = join(cache, `kafka-${lock.components.kafka.version}`);
  const file = (jar: LockedJar) => join(dir, jar.path.split('/').pop()!);
  return { lockFile, lock, cache, env, jars, dir, file, bytes: (jar: LockedJar) => repository.files.get(jar.path)! };
}

function assertOneSentence(error: Error, ...patterns: RegExp[]): void {
  assert.instance(error, SandboxError, `${error.name}: ${error.message}`);
  const summary = (error as SandboxError).summary;
  assert.not.match(summary, /\n/, 'one line');
  assert.match(summary, /\.$/, 'a full sentence');
  for (const pattern of patterns) assert.match(summary, pattern);
}

function jarNames(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.jar')) : [];
}

// ------------------------------------------------------------------ tests

test('a cold fetch needs no Maven (nothing on PATH): every jar of the lock, verified, on a classpath in lock order; the next call asks nothing', async () => {
  const s = setup('cold');
  const first = await ensureJars('kafka', { env: s.env, lockFile: s.lockFile });
  assert.ok(first.fetched);
  assert.is(first.dir, s.dir);
  assert.equal(first.jars, s.jars.map(s.file));
  assert.is(first.classpath, s.jars.map(s.file).join(delimiter));
  for (const jar of s.jars) assert.ok(readFileSync(s.file(jar)).equals(s.bytes(jar)), `${jar.path} has the served bytes`);
  assert.equal(
    readdirSync(s.dir).filter((n) => n.includes('.part-')),
    [],
    'no partial file left',
  );
  const asked = repo.log.length;
  const second = await ensureJars('kafka', { env: s.env, lockFile: s.lockFile });
  assert.not.ok(second.fetched);
  assert.is(second.classpath, first.classpath);
  assert.is(repo.log.length, asked, 'a complete cache sends no request');
});

test('an application archive in the lock is fetched, verified and unpacked once beside itself; a folder from other bytes is unpacked again', async () => {
  const s = setup('archive');
  const runner = randomBytes(20_000);
  const dependency = randomBytes(3_000);
  const bytes = tarGz([
    { name: 'app-1.0-runner.jar', data: runner },
    { name: 'lib/', type: '5' },
    { name: 'lib/dependency.jar', data: dependency },
  ]);
  const path = 'test/workshop/app/1.0/app-1.0-all.tar.gz';
  repo.files.set(path, bytes);
  const archive: LockedJar = {
    coordinates: 'test.workshop:app:tar.gz:all:1.0',
    path,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
  s.lock.components['schema-registry'].jars = [archive];
  writeFileSync(s.lockFile, JSON.stringify(s.lock, null, 2));
  const options = { env: s.env, lockFile: s.lockFile };
  const set = await ensureJars('schema-registry', options);
  const folder = join(s.cache, `schema-registry-${s.lock.components['schema-registry'].version}`, 'app-1.0-all');
  assert.ok(set.fetched);
  assert.equal(set.unpacked, [folder]);
  assert.equal(readFileSync(join(folder, 'app-1.0-runner.jar')), runner);
  assert.equal(readFileSync(join(folder, 'lib', 'dependency.jar')), dependency);
  assert.equal(
    readdirSync(set.dir).filter((name) => name.includes('.unpacking-')),
    [],
    'no half-unpacked folder left',
  );
  const marker = join(folder, 'added-after-unpacking');
  writeFileSync(marker, '');
  await ensureJars('schema-registry', options);
  assert.ok(existsSync(marker), 'a folder unpacked from these bytes is not unpacked again');
  writeFileSync(join(folder, '.unpacked-from.json'), JSON.stringify({ sha256: '0'.repeat(64) }));
  const again = await ensureJars('schema-registry', options);
  assert.not.ok(again.fetched);
  assert.not.ok(existsSync(marker), 'a folder from other bytes is replaced');
  assert.equal(readFileSync(join(folder, 'lib', 'dependency.jar')), dependency);
});

test('WORKSHOP_MAVEN_MIRROR is the one place to fetch from, with or without its trailing slash', async () => {
  for (const slash of ['', '/']) {
    const s = setup(`mirror${slash ? 'slash' : ''}`, mirror);
    const env = { ...s.env, WORKSHOP_MAVEN_MIRROR: `${mirror.base.replace(/\/$/, '')}${slash}` };
    const jars = await ensureJars('elasticmq', { env, lockFile: s.lockFile });
    assert.ok(jars.fetched);
    const paths = s.lock.components.elasticmq.jars.map((j) => j.path);
    assert.equal(
      mirror.log
        .filter((r) => paths.includes(r.path))
        .map((r) => r.path)
        .sort(),
      [...paths].sort(),
      'each jar was asked of the mirror, under its path',
    );
  }
  assert.ok(
    repo.log.every((r) => !r.path.includes('mirror')),
    'nothing went to the other repository',
  );
});

test('a malformed WORKSHOP_MAVEN_MIRROR is one sentence naming the variable and the form, and nothing is asked', async () => {
  const s = setup('badmirror');
  for (const value of ['ftp://host/maven2/', 'repo.local:8081', 'http://host/maven2/?token=1']) {
    const asked = repo.log.length;
    const error = await rejection(() => ensureJars('kafka', { env: { ...s.env, WORKSHOP_MAVEN_MIRROR: value }, lockFile: s.lockFile }));
    assertOneSentence(
      error,
      new RegExp(`WORKSHOP_MAVEN_MIRROR=${value.replace(/[.?]/g, '\\$&')} is not a repository URL`),
      /http\(s\) base URL of a Maven 2 repository/,
      /unset it/,
    );
    assert.is(repo.log.length, asked);
  }
});

test('verifyJars: the quick check trusts the stamp, the full one hashes every jar and names a corrupt one', async () => {
  const s = setup('verify');
  const options = { env: s.env, lockFile: s.lockFile };
  const missing = await verifyJars('kafka', options);
  assert.equal(
    missing.problems.map((p) => p.problem),
    ['missing', 'missing', 'missing'],
  );
  await ensureJars('kafka', options);
  const quick = await verifyJars('kafka', options);
  assert.equal(quick.problems, []);
  assert.is(quick.hashed, 0, 'stat matches the stamp: nothing hashed');
  const full = await verifyJars('kafka', { ...options, full: true });
  assert.equal(full.problems, []);
  assert.is(full.hashed, 3);
  // Flip bytes but keep size and mtime: only a full check can see it.
  const target = s.file(s.jars[0]);
  const { atime, mtime } = statSync(target);
  const bytes = readFileSync(target);
  bytes[100] ^= 0xff;
  writeFileSync(target, bytes);
  utimesSync(target, atime, mtime);
  const after = await verifyJars('kafka', { ...options, full: true });
  assert.equal(
    after.problems.map((p) => [p.file, p.problem]),
    [[s.jars[0].path.split('/').pop(), 'sha256']],
  );
  assert.match(after.problems[0].detail, new RegExp(`the lock says ${s.jars[0].sha256}`));
});

test('a corrupt or truncated jar in the cache is fetched again, and only it; stale class-data archives and jars the lock dropped go', async () => {
  const s = setup('corrupt');
  const options = { env: s.env, lockFile: s.lockFile };
  await ensureJars('kafka', options);
  const [corrupt, truncated, intact] = s.jars;
  writeFileSync(s.file(corrupt), randomBytes(corrupt.size)); // same size, other bytes, new mtime
  truncateSync(s.file(truncated), 100);
  writeFileSync(join(s.dir, 'appcds-0123456789ab.jsa'), 'old archive');
  writeFileSync(join(s.dir, 'dropped-0.9.jar'), 'a jar of an older lock');
  const asked = repo.log.length;
  const jars = await ensureJars('kafka', options);
  assert.ok(jars.fetched);
  assert.equal(
    repo.log
      .slice(asked)
      .map((r) => r.path)
      .sort(),
    [corrupt.path, truncated.path].sort(),
    'only the two wrong jars were fetched',
  );
  for (const jar of s.jars) assert.ok(readFileSync(s.file(jar)).equals(s.bytes(jar)), `${jar.path} is right again`);
  assert.ok(existsSync(s.file(intact)));
  assert.not.ok(existsSync(join(s.dir, 'appcds-0123456789ab.jsa')), 'an archive of other jars is removed');
  assert.not.ok(existsSync(join(s.dir, 'dropped-0.9.jar')), 'a jar the lock does not list is removed');
});

test('a fetch killed mid-jar resumes from its partial file with a Range request', async () => {
  const s = setup('resume', repo, [600_000, 2_000]);
  const big = s.jars[0];
  const cut = 250_000;
  repo.stallAfter.set(big.path, cut);
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'fetch-jars.ts'), 'kafka', s.lockFile], { env: s.env, stdio: 'ignore' });
  children.push(child);
  const partial = () => readdirSync(s.dir).find((n) => n.startsWith(`${s.file(big).split('/').pop()}.part-${child.pid}-`));
  await waitFor(() => existsSync(s.dir) && !!partial() && statSync(join(s.dir, partial()!)).size === cut, 30_000, 'the partial file to hold the first bytes');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  assert.not.ok(existsSync(s.file(big)), 'the jar is not under its final name');
  repo.stallAfter.delete(big.path);

  const asked = repo.log.length;
  const jars = await ensureJars('kafka', { env: s.env, lockFile: s.lockFile });
  assert.ok(jars.fetched);
  const resumed = repo.log.slice(asked).filter((r) => r.path === big.path);
  assert.equal(resumed, [{ path: big.path, range: `bytes=${cut}-`, status: 206, bytes: big.size - cut }], 'one request for the rest');
  assert.ok(readFileSync(s.file(big)).equals(s.bytes(big)));
  assert.equal(
    readdirSync(s.dir).filter((n) => n.includes('.part-')),
    [],
  );
});

test('a server that ignores Range: the partial file is dropped and the jar fetched whole', async () => {
  const s = setup('norange');
  const jar = s.jars[0];
  mkdirSync(s.dir, { recursive: true });
  const gone = spawnSync('true').pid; // a process that has ended: its partial file is abandoned
  writeFileSync(join(s.dir, `${jar.path.split('/').pop()}.part-${gone}-deadbeef`), randomBytes(1_000));
  repo.honourRange = false;
  try {
    await ensureJars('kafka', { env: s.env, lockFile: s.lockFile });
  } finally {
    repo.honourRange = true;
  }
  const asked = repo.requests(jar.path);
  assert.is(asked.length, 1);
  assert.is(asked[0].range, 'bytes=1000-', 'it asked for the rest');
  assert.is(asked[0].status, 200, 'and got the whole file');
  assert.ok(readFileSync(s.file(jar)).equals(s.bytes(jar)));
});

test('HTTP 404: one sentence naming the URL, not retried, and no jar under its final name', async () => {
  const s = setup('missing');
  const lost = s.jars[1];
  repo.files.delete(lost.path);
  const error = await rejection(() => ensureJars('kafka', { env: s.env, lockFile: s.lockFile, retry: QUICK_RETRY }));
  assertOneSentence(
    error,
    /^Could not fetch the Kafka 0\.0\.1-missing jars: /,
    new RegExp(`${repo.base}${lost.path} failed with HTTP 404 Not Found \\(not retried\\)`),
    /check that WORKSHOP_MAVEN_MIRROR=http:\/\/127\.0\.0\.1:\d+\/maven2\/ serves Maven Central's files, or unset it/,
    /set KAFKA_BROKERS=host:port/,
  );
  assert.not.match((error as SandboxError).summary, /resume/, 'asking again would not help');
  assert.is(repo.requests(lost.path).length, 1);
  assert.not.ok(existsSync(s.file(lost)));
});

test('HTTP 500 every time: one sentence after exactly the bounded tries; twice then served: fetched', async () => {
  const s = setup('flaky');
  const jar = s.jars[2];
  repo.failures.set(jar.path, [500, 500, 500, 500]);
  const error = await rejection(() => ensureJars('kafka', { env: s.env, lockFile: s.lockFile, retry: QUICK_RETRY }));
  assertOneSentence(error, new RegExp(`${jar.path} failed with HTTP 500 Internal Server Error \\(after 3 tries\\)`), /run the command again to resume/);
  assert.ok((error as SandboxError).transient);
  assert.is(repo.requests(jar.path).length, 3);
  assert.not.ok(existsSync(s.file(jar)));

  repo.failures.set(jar.path, [503, 500]);
  const jars = await ensureJars('kafka', { env: s.env, lockFile: s.lockFile, retry: QUICK_RETRY });
  assert.ok(jars.fetched);
  assert.ok(readFileSync(s.file(jar)).equals(s.bytes(jar)));
});

test('a repository serving other bytes than the lock: refused with both sums, nothing under the final name', async () => {
  const s = setup('tampered');
  const jar = s.jars[1];
  const other = randomBytes(jar.size);
  repo.replaced.set(jar.path, other);
  const error = await rejection(() => ensureJars('kafka', { env: s.env, lockFile: s.lockFile, retry: QUICK_RETRY }));
  assertOneSentence(error, new RegExp(`have sha256 ${createHash('sha256').update(other).digest('hex')}, not the ${jar.sha256} of the lock`));
  assert.is(repo.requests(jar.path).length, 1, 'a whole download with the wrong sum is not asked again');
  assert.not.ok(existsSync(s.file(jar)));
  assert.equal(
    readdirSync(s.dir).filter((n) => n.includes('.part-')),
    [],
    'the wrong bytes are not kept to resume from',
  );
});

test('two processes fetching into one cache at once both end with the verified jars', async () => {
  const s = setup('together', repo, [500_000, 300_000, 10_000]);
  const run = () =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'fetch-jars.ts'), 'kafka', s.lockFile], { env: s.env });
      children.push(child);
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('close', (code) => resolve({ code, out }));
    });
  const results = await Promise.all([run(), run()]);
  for (const r of results) assert.is(r.code, 0, r.out);
  for (const jar of s.jars) assert.ok(readFileSync(s.file(jar)).equals(s.bytes(jar)));
  assert.equal(jarNames(s.dir).sort(), s.jars.map((j) => j.path.split('/').pop()).sort());
  assert.equal((await verifyJars('kafka', { env: s.env, lockFile: s.lockFile, full: true })).problems, []);
});

test('a cache that cannot be written is one sentence naming the folder and WORKSHOP_CACHE', async () => {
  const s = setup('unwritable');
  const notAFolder = join(scratch, 'a-file');
  writeFileSync(notAFolder, 'not a folder');
  const error = await rejection(() => ensureJars('kafka', { env: { ...s.env, WORKSHOP_CACHE: notAFolder }, lockFile: s.lockFile }));
  assertOneSentence(
    error,
    /^Could not write the Kafka 0\.0\.1-unwritable jars into .*a-file\/kafka-0\.0\.1-unwritable \(ENOTDIR/,
    /set WORKSHOP_CACHE to another folder\.$/,
  );
});

test('a damaged lock, or a pom changed since the lock, is one sentence naming `npm run sandbox:lock`', async () => {
  const s = setup('damaged');
  const broken = join(scratch, 'broken.lock.json');
  writeFileSync(broken, '{"components": ');
  assertOneSentence(await rejection(() => ensureJars('kafka', { env: s.env, lockFile: broken })), /broken\.lock\.json is not JSON/, /npm run sandbox:lock/);
  const wrongSum = structuredClone(s.lock);
  wrongSum.components.kafka.jars[1].sha256 = 'abc';
  writeFileSync(broken, JSON.stringify(wrongSum));
  assertOneSentence(
    await rejection(() => ensureJars('kafka', { env: s.env, lockFile: broken })),
    /is not valid: components\.kafka\.jars\[1\]\.sha256 is not 64 lower-case hex digits/,
    /git checkout/,
  );
  const stale = structuredClone(s.lock);
  stale.components.elasticmq.pomSha256 = '0'.repeat(64);
  writeFileSync(broken, JSON.stringify(stale));
  assertOneSentence(
    await rejection(() => ensureJars('elasticmq', { env: s.env, lockFile: broken })),
    /^sandbox\/jvm\/elasticmq\/pom\.xml has changed since .*broken\.lock\.json was written; regenerate the lock with `npm run sandbox:lock`/,
  );
  assert.not.ok(existsSync(s.cache), 'nothing was fetched');
});

test.run();
