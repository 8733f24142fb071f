// The sandbox's schema registry (Apicurio Registry's Confluent API) proved with clients nobody here
// wrote: @kafkajs/confluent-schema-registry registers, encodes and decodes through it, avsc reads
// the Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro body) directly, and
// the REST calls AWS's Kafka ESM makes (schema by id, subjects, versions, compatibility) answer as
// Confluent's registry does, with BACKWARD as the default level. Then its readable failures.

import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SandboxError } from '../../sandbox/errors.ts';
import { isPidAlive, liveChildren } from '../../sandbox/process.ts';
import { SCHEMA_REGISTRY_CONTENT_TYPE, type SchemaRegistrySandbox, startSchemaRegistry } from '../../sandbox/schema-registry.ts';
import { rejection, sandboxChildPids } from './helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'workshop-schema-registry-'));
let server: SchemaRegistrySandbox | undefined;
let registry: SchemaRegistry | undefined;
const blockers: Server[] = [];

test.after(async () => {
  await server?.stop();
  await Promise.all(blockers.map((s) => new Promise((r) => s.close(r))));
  rmSync(scratch, { recursive: true, force: true });
});

const SUBJECT = 'bookings-value';
const BOOKING_V1 = {
  type: 'record' as const,
  name: 'Booking',
  namespace: 'workshop.bookings',
  fields: [
    { name: 'bookingId', type: 'string' },
    { name: 'flight', type: 'string' },
    { name: 'seats', type: 'int' },
    { name: 'amount', type: 'double' },
  ],
};
/** BACKWARD-compatible: a new optional field with a default, so the new schema reads old records. */
const BOOKING_V2 = { ...BOOKING_V1, fields: [...BOOKING_V1.fields, { name: 'channel', type: ['null', 'string'], default: null }] };
/** Not BACKWARD-compatible: a new required field, which old records lack. */
const BOOKING_REQUIRED_FIELD = { ...BOOKING_V1, fields: [...BOOKING_V1.fields, { name: 'currency', type: 'string' }] };
/** Not BACKWARD-compatible: seats changes from int to string. */
const BOOKING_SEATS_AS_STRING = { ...BOOKING_V1, fields: BOOKING_V1.fields.map((f) => (f.name === 'seats' ? { ...f, type: 'string' } : f)) };

const booking = { bookingId: 'b-0001', flight: 'LH400', seats: 2, amount: 1234.5 };
const avroSchema = (schema: object): { type: SchemaType.AVRO; schema: string } => ({ type: SchemaType.AVRO, schema: JSON.stringify(schema) });
/** A decoded record as plain data (avsc decodes into an instance of a class named after the record). */
const plain = (record: unknown) => ({ ...(record as object) });

/** Resident memory of a process, in MB (Linux). */
const rssMb = (pid: number) => (Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024).toFixed(0);

/** A Confluent API call, as the ESM or a producer makes it: status and parsed body. */
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server!.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': SCHEMA_REGISTRY_CONTENT_TYPE },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

test('starts on a free 127.0.0.1 port with BACKWARD as the global compatibility level', async () => {
  server = await startSchemaRegistry({ ignoreEnv: true });
  console.log(`[measured] Apicurio Registry ${server.version}: ready in ${server.startMs} ms, RSS ${rssMb(server.pid!)} MB after start`);
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7$/);
  assert.not.ok(server.external);
  assert.equal(await call('GET', '/config'), { status: 200, body: { compatibilityLevel: 'BACKWARD' } });
  assert.equal(await call('GET', '/subjects'), { status: 200, body: [] });
  registry = new SchemaRegistry({ host: server.url.replace(/\/+$/, '') });
});

test('the client registers the booking schema and encodes a record in the Confluent wire format, which avsc reads', async () => {
  const { id } = await registry!.register(avroSchema(BOOKING_V1), { subject: SUBJECT });
  assert.ok(Number.isInteger(id) && id > 0, `schema id ${id}`);
  const encoded = await registry!.encode(id, booking);
  assert.is(encoded[0], 0, 'magic byte 0');
  assert.is(encoded.readInt32BE(1), id, '4-byte big-endian schema id');
  const type = avro.Type.forSchema(BOOKING_V1 as avro.Schema);
  assert.equal(encoded.subarray(5), type.toBuffer(booking), 'the body is the record in Avro binary');
  assert.equal({ ...type.fromBuffer(encoded.subarray(5)) }, booking);
  assert.equal(plain(await registry!.decode(encoded)), booking);
  // A record framed by avsc alone decodes through the registry: the format is Confluent's, not the client's own.
  const framed = Buffer.concat([Buffer.from([0]), Buffer.alloc(4), type.toBuffer({ ...booking, seats: 7 })]);
  framed.writeInt32BE(id, 1);
  assert.equal(plain(await registry!.decode(framed)), { ...booking, seats: 7 });
  const byId = await call('GET', `/schemas/ids/${id}`);
  assert.is(byId.status, 200);
  assert.ok(avro.Type.forSchema(JSON.parse(byId.body.schema)).equals(type), 'GET /schemas/ids/{id} returns the registered schema');
});

test('a new optional field with a default is BACKWARD-compatible: version 2, and old records read with it', async () => {
  const check = await call('POST', `/compatibility/subjects/${SUBJECT}/versions/latest`, { schema: JSON.stringify(BOOKING_V2) });
  assert.is(check.status, 200);
  assert.is(check.body.is_compatible, true);
  const v1 = await registry!.getLatestSchemaId(SUBJECT);
  const { id: v2 } = await registry!.register(avroSchema(BOOKING_V2), { subject: SUBJECT });
  assert.is.not(v2, v1);
  assert.is(await registry!.getRegistryId(SUBJECT, 2), v2);
  const withChannel = { ...booking, channel: 'web' };
  assert.equal(plain(await registry!.decode(await registry!.encode(v2, withChannel))), { ...booking, channel: 'web' });
  const old = await registry!.encode(v1, booking);
  assert.equal(plain(await registry!.decode(old, { [SchemaType.AVRO]: { readerSchema: BOOKING_V2 } })), { ...booking, channel: null });
});

test('an incompatible change is refused by the registry (409), and the client surfaces it', async () => {
  const check = await call('POST', `/compatibility/subjects/${SUBJECT}/versions/latest`, { schema: JSON.stringify(BOOKING_SEATS_AS_STRING) });
  assert.is(check.status, 200);
  assert.is(check.body.is_compatible, false);
  const error = (await rejection(() => registry!.register(avroSchema(BOOKING_REQUIRED_FIELD), { subject: SUBJECT }))) as Error & { status?: number };
  assert.is(error.status, 409);
  assert.match(error.message, /Incompatible/i);
  const refused = await call('POST', `/subjects/${SUBJECT}/versions`, { schema: JSON.stringify(BOOKING_SEATS_AS_STRING) });
  assert.is(refused.status, 409);
  assert.is(refused.body.error_code, 409);
  assert.equal((await call('GET', `/subjects/${SUBJECT}/versions`)).body, [1, 2], 'nothing registered');
});

test('the global BACKWARD level holds for a subject no client configured; one schema under two subjects has one id', async () => {
  const raw = 'payments-value';
  const registered = await call('POST', `/subjects/${raw}/versions`, { schema: JSON.stringify(BOOKING_V1) });
  assert.is(registered.status, 200);
  assert.is(registered.body.id, await registry!.getRegistryId(SUBJECT, 1));
  const refused = await call('POST', `/subjects/${raw}/versions`, { schema: JSON.stringify(BOOKING_REQUIRED_FIELD) });
  assert.is(refused.status, 409);
  assert.is(refused.body.error_code, 409);
});

test('an unknown schema id is 404 with error_code 40403, and the client cannot decode a record naming it', async () => {
  const unknown = 987_654;
  const missing = await call('GET', `/schemas/ids/${unknown}`);
  assert.is(missing.status, 404);
  assert.is(missing.body.error_code, 40403);
  const poison = Buffer.concat([Buffer.from([0]), Buffer.alloc(4), avro.Type.forSchema(BOOKING_V1 as avro.Schema).toBuffer(booking)]);
  poison.writeInt32BE(unknown, 1);
  const error = (await rejection(() => registry!.decode(poison))) as Error & { status?: number };
  assert.is(error.status, 404);
});

test('subjects and versions are listed as Confluent lists them', async () => {
  assert.equal((await call('GET', '/subjects')).body.sort(), ['bookings-value', 'payments-value']);
  assert.equal(await call('GET', `/subjects/${SUBJECT}/versions`), { status: 200, body: [1, 2] });
  const latest = await call('GET', `/subjects/${SUBJECT}/versions/latest`);
  assert.equal({ subject: latest.body.subject, version: latest.body.version }, { subject: SUBJECT, version: 2 });
  assert.is((await call('GET', '/subjects/no-such-value/versions')).body.error_code, 40401);
});

test('stop ends the JVM and leaves nothing running', async () => {
  const pid = server!.pid!;
  console.log(`[measured] RSS ${rssMb(pid)} MB after the calls above`);
  await server!.stop();
  assert.not.ok(isPidAlive(pid));
  assert.not.ok(server!.isRunning());
  assert.equal(liveChildren(), []);
  assert.equal(sandboxChildPids(), []);
});

// ------------------------------------------------------------------ readable failures

/** An environment whose PATH holds only `bin` and no JAVA_HOME. */
function envWith(bin: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  mkdirSync(bin, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: bin, JAVA_HOME: '', ...extra };
  delete env.SCHEMA_REGISTRY_URL;
  return env;
}

function assertOneSentence(error: Error, ...patterns: RegExp[]): void {
  assert.instance(error, SandboxError, `${error.name}: ${error.message}`);
  const summary = (error as SandboxError).summary;
  assert.not.match(summary, /\n/, 'one line');
  assert.match(summary, /\.$/, 'a full sentence');
  for (const pattern of patterns) assert.match(summary, pattern);
}

test('Java missing: one sentence naming Java 17 and SCHEMA_REGISTRY_URL', async () => {
  const error = await rejection(() => startSchemaRegistry({ env: envWith(join(scratch, 'empty-bin')) }));
  assertOneSentence(
    error,
    /Java 17 or newer is needed to run the local Apicurio Registry server/,
    /no `java` was found/,
    /SCHEMA_REGISTRY_URL=http:\/\/host:port/,
  );
  assert.equal(liveChildren(), []);
});

test('Java too old: one sentence naming the version found and JAVA_HOME', async () => {
  const bin = join(scratch, 'java11-bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'java'), '#!/bin/sh\necho \'openjdk version "11.0.24" 2024-07-16\' >&2\n');
  chmodSync(join(bin, 'java'), 0o755);
  const error = await rejection(() => startSchemaRegistry({ env: envWith(bin) }));
  assertOneSentence(error, /Java 17 or newer is needed/, /is Java 11/, /point JAVA_HOME at it/, /SCHEMA_REGISTRY_URL/);
  assert.equal(liveChildren(), []);
});

test('a taken port is named with the fix, before any JVM starts', async () => {
  const blocker = createServer();
  blockers.push(blocker);
  const port = await new Promise<number>((r) => blocker.listen(0, '127.0.0.1', () => r((blocker.address() as { port: number }).port)));
  const error = await rejection(() => startSchemaRegistry({ port, ignoreEnv: true }));
  assertOneSentence(error, new RegExp(`127\\.0\\.0\\.1:${port} for the schema registry is already in use`), /leave the port unset/);
  assert.equal(liveChildren(), []);
});

test('SCHEMA_REGISTRY_URL pointing at nothing says so', async () => {
  const closed = createServer();
  const port = await new Promise<number>((r) => closed.listen(0, '127.0.0.1', () => r((closed.address() as { port: number }).port)));
  await new Promise((r) => closed.close(r));
  const error = await rejection(() => startSchemaRegistry({ env: { ...process.env, SCHEMA_REGISTRY_URL: `http://127.0.0.1:${port}` }, readyTimeoutMs: 500 }));
  assertOneSentence(error, /^SCHEMA_REGISTRY_URL=http:\/\/127\.0\.0\.1:\d+ did not answer GET \/subjects/, /unset SCHEMA_REGISTRY_URL/);
});

test.run();
