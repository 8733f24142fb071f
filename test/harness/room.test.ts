// The room board: its rules on a fake clock, then the real server on 127.0.0.1 (each bad input
// refused with its status, a restart losing nothing) and a participant's send (never failing or
// holding up a check).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../harness/errors.ts';
import { FLOOD_BURST, FLOOD_REFILL_MS, MAX_PARTICIPANTS, RoomBoard } from '../../harness/room/room-board.ts';
import { ROOM_TIMEOUT_MS, roomTarget, sendToRoom } from '../../harness/room/room-client.ts';
import { MAX_REPORT_BYTES, parseRoomReport, type RoomReport } from '../../harness/room/room-report.ts';
import { startRoom } from '../../harness/room/room-server.ts';
import { roomReportOf as report } from './support/room-fixture.ts';

test('the board: a wrong code is refused, time on a lab starts at its first report, a pass marks the lab done', () => {
  let now = 1_000_000;
  const board = new RoomBoard('ABC234', () => now);
  assert.is(board.accept('WRONG1', report('ana')).status, 403);
  assert.is(board.accept(undefined, report('ana')).status, 403);
  assert.is(board.accept('ABC234', report('ana')).status, 200);
  now += 60_000;
  assert.is(board.accept('ABC234', report('ana', { passed: true, failing: [], checks: 2 })).status, 200);
  const [row] = board.snapshot().participants;
  assert.is(row.onLabSince, 1_000_000);
  assert.equal(row.done, ['02-low-latency']);
  now += 60_000;
  board.accept('ABC234', report('ana', { lab: '03-sqs-buffer' }));
  assert.is(board.snapshot().participants[0].onLabSince, now);
  assert.equal(board.snapshot().participants[0].done, ['02-low-latency']);
});

test('the board: a flood is refused after the burst, then one report per refill period', () => {
  let now = 0;
  const board = new RoomBoard('ABC234', () => now);
  const statuses = Array.from({ length: FLOOD_BURST + 2 }, () => board.accept('ABC234', report('bot')).status);
  assert.equal(statuses, [...Array(FLOOD_BURST).fill(200), 429, 429]);
  assert.is(board.accept('ABC234', report('someone-else')).status, 200, 'the limit is per participant');
  now += FLOOD_REFILL_MS;
  assert.is(board.accept('ABC234', report('bot')).status, 200);
  assert.is(board.accept('ABC234', report('bot')).status, 429);
});

test('the board: a full room refuses new names but not those already in it', () => {
  let now = 0;
  const board = new RoomBoard('ABC234', () => (now += FLOOD_REFILL_MS));
  for (let i = 0; i < MAX_PARTICIPANTS; i++) assert.is(board.accept('ABC234', report(`p${i}`)).status, 200);
  assert.is(board.accept('ABC234', report('late')).status, 409);
  assert.is(board.accept('ABC234', report('p7')).status, 200);
});

test('the board: what most of the room is stuck on, by lab, most shared first', () => {
  const board = new RoomBoard('ABC234', () => 0);
  board.accept('ABC234', report('a'));
  board.accept('ABC234', report('b'));
  board.accept('ABC234', report('c', { failing: [{ name: 'p50' }, { name: 'throughput' }] }));
  board.accept('ABC234', report('d', { passed: true, failing: [] }));
  board.accept('ABC234', report('e', { lab: '03-sqs-buffer', failing: [{ name: 'throughput' }] }));
  assert.equal(board.snapshot().stuckOn, [{ lab: '02-low-latency', finding: 'p50', count: 3, of: 4 }]);
});

test('a report is parsed strictly: each wrong field named', () => {
  assert.equal(parseRoomReport(JSON.stringify(report('ana'))), report('ana'));
  for (const [body, problem] of [
    ['{', /not JSON/],
    ['[]', /not a JSON object/],
    [JSON.stringify(report('<script>')), /name/],
    [JSON.stringify(report('ana', { lab: '../etc' })), /lab/],
    [JSON.stringify(report('ana', { checks: -1 })), /checks/],
    [JSON.stringify({ ...report('ana'), failing: [{ name: 'x'.repeat(500) }] }), /failing/],
  ] as const) {
    const parsed = parseRoomReport(body);
    assert.ok('problem' in parsed, body);
    assert.match((parsed as { problem: string }).problem, problem);
  }
});

async function post(url: string, body: string, code?: string): Promise<{ status: number; error?: string }> {
  const target = new URL('/api/report', url);
  if (code) target.searchParams.set('code', code);
  const response = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, error: ((await response.json().catch(() => ({}))) as { error?: string }).error };
}

test('the server refuses a missing code, an oversized or malformed body and a flood, each with its status and reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'klw-room-'));
  const room = await startRoom({ port: 0, stateFile: join(dir, 'board.json') });
  try {
    const code = room.board.code;
    assert.is((await post(room.url, JSON.stringify(report('ana')))).status, 403);
    assert.is((await post(room.url, JSON.stringify(report('ana')), 'NOPE22')).status, 403);
    const big = await post(room.url, 'x'.repeat(MAX_REPORT_BYTES + 1), code);
    assert.is(big.status, 413);
    assert.match(big.error!, String(MAX_REPORT_BYTES));
    const bad = await post(room.url, '{"name": 1}', code);
    assert.is(bad.status, 400);
    assert.match(bad.error!, 'not a room report: name');
    const statuses: number[] = [];
    for (let i = 0; i < FLOOD_BURST + 1; i++) statuses.push((await post(room.url, JSON.stringify(report('bot')), code)).status);
    assert.is(statuses.at(-1), 429);
    assert.is((await fetch(new URL('/api/report', room.url))).status, 405);
    assert.is((await fetch(new URL('/nope', room.url))).status, 404);
  } finally {
    await room.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a restarted board has every participant and the same join code', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'klw-room-'));
  const stateFile = join(dir, 'board.json');
  const first = await startRoom({ port: 0, stateFile });
  const code = first.board.code;
  for (const name of ['ana', 'bo', 'cy']) assert.is((await post(first.url, JSON.stringify(report(name)), code)).status, 200);
  await first.close();
  assert.equal(JSON.parse(readFileSync(stateFile, 'utf8')).participants.length, 3);
  const second = await startRoom({ port: 0, stateFile });
  try {
    assert.is(second.board.code, code);
    const board = (await (await fetch(new URL('/api/board', second.url))).json()) as { participants: { name: string }[]; accepted: number };
    assert.equal(
      board.participants.map((p) => p.name),
      ['ana', 'bo', 'cy'],
    );
    assert.is(board.accepted, 3);
  } finally {
    await second.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the board binds 127.0.0.1 unless told otherwise, and refuses an address that is not this machine's", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'klw-room-'));
  const room = await startRoom({ port: 0, stateFile: join(dir, 'board.json') });
  try {
    assert.match(room.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.ok(room.joinUrl.endsWith(`?code=${room.board.code}`));
    try {
      await startRoom({ port: 0, host: '203.0.113.9', stateFile: join(dir, 'other.json') });
      assert.unreachable('an address of another machine was accepted');
    } catch (error) {
      assert.instance(error, UsageError);
      assert.match((error as Error).message, '203.0.113.9 is not an address of this machine');
    }
  } finally {
    await room.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a participant: --room and --name checked before the check runs, each mistake one line', () => {
  assert.is(roomTarget(undefined, undefined, {}), undefined);
  const target = roomTarget('http://192.168.1.20:4320/?code=ABC234', 'Ana', {});
  assert.is(target?.reportUrl, 'http://192.168.1.20:4320/api/report?code=ABC234');
  assert.is(roomTarget(undefined, undefined, { WORKSHOP_ROOM: 'http://h:1/?code=X', WORKSHOP_NAME: 'Bo' })?.name, 'Bo');
  for (const [room, name, expected] of [
    ['not a url', 'Ana', /is not a URL/],
    ['http://192.168.1.20:4320/', 'Ana', /has no join code/],
    ['http://192.168.1.20:4320/?code=ABC234', undefined, /--room needs --name/],
    [undefined, 'Ana', /--name needs --room/],
    ['http://192.168.1.20:4320/?code=ABC234', '<b>', /display name/],
  ] as const) {
    try {
      roomTarget(room, name, {});
      assert.unreachable(`${room} ${name}`);
    } catch (error) {
      assert.instance(error, UsageError);
      assert.match((error as Error).message, expected);
      assert.is((error as Error).message.split('\n').length, 1);
    }
  }
});

test('a room that cannot be reached or does not answer costs a check at most a second and one line', async () => {
  const closed = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const silent = createServer(() => {}).listen(0, '127.0.0.1');
  await new Promise((resolve) => silent.once('listening', resolve));
  try {
    for (const port of [closed, (silent.address() as { port: number }).port]) {
      const target = roomTarget(`http://127.0.0.1:${port}/?code=ABC234`, 'Ana', {})!;
      const started = performance.now();
      const line = await sendToRoom(target, report('Ana'));
      const took = performance.now() - started;
      assert.ok(took < ROOM_TIMEOUT_MS + 500, `${took} ms`);
      assert.match(line, /could not be reached .*; your check itself is unaffected\./);
      assert.is(line.split('\n').length, 1);
    }
  } finally {
    silent.close();
  }
});

test("workshop room: prints the board and the participants' command, takes a check, keeps its file, stops on Ctrl+C", async () => {
  const cache = mkdtempSync(join(tmpdir(), 'klw-room-cli-'));
  const child = spawn(process.execPath, [new URL('../../bin/workshop.js', import.meta.url).pathname, 'room', '--port', '0'], {
    env: { ...process.env, WORKSHOP_CACHE: cache },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  try {
    for (const deadline = Date.now() + 30_000; !output.includes('Ctrl+C') && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
    assert.match(output, /^Room board: http:\/\/127\.0\.0\.1:\d+\/ \(join code [A-Z2-9]{6}; kept in .*room\/board\.json/m);
    assert.match(output, 'Only this machine can reach it: for the room, start it with --host 0.0.0.0.');
    const room = /--room (\S+) --name/.exec(output)![1];
    const line = await sendToRoom(roomTarget(room, 'Ana', {})!, report('Ana'));
    assert.is(line, 'Sent to the room board as Ana.');
    child.kill('SIGINT');
    assert.is(await exited, 0, output);
    assert.equal(
      JSON.parse(readFileSync(join(cache, 'room', 'board.json'), 'utf8')).participants.map((p: { name: string }) => p.name),
      ['Ana'],
    );
  } finally {
    child.kill('SIGKILL');
    rmSync(cache, { recursive: true, force: true });
  }
});

test.run();
