// The room board under a room's load: simulated participants each post a check's summary every
// few seconds (open loop: on schedule, whatever the answers), while a page-like listener follows
// /events. Measured: every post answered 200 and counted (nothing lost), and how long a post takes
// to show on the page (post sent -> the event carrying it), HdrHistogram percentiles.
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BoardSnapshot } from '../harness/room/room-board.ts';
import type { RoomReport } from '../harness/room/room-report.ts';
import { startRoom } from '../harness/room/room-server.ts';
import { summarize } from '../harness/stats.ts';
import type { RoomCase } from './cases.ts';
import type { RoomResult } from './results.ts';

/** A listener on /events, as the page's EventSource is: each snapshot, when it arrived. */
function followEvents(url: string, onSnapshot: (snapshot: BoardSnapshot, at: number) => void): () => void {
  let buffer = '';
  const request = get(new URL('/events', url), (response) => {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      buffer += chunk;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (event.startsWith('data: ')) onSnapshot(JSON.parse(event.slice(6)) as BoardSnapshot, performance.now());
        end = buffer.indexOf('\n\n');
      }
    });
  });
  request.on('error', () => {});
  return () => request.destroy();
}

export async function runRoomLoad(c: RoomCase): Promise<RoomResult> {
  const dir = mkdtempSync(join(tmpdir(), 'klw-room-bench-'));
  const room = await startRoom({ port: 0, stateFile: join(dir, 'board.json') });
  const reportUrl = new URL(`/api/report?code=${room.board.code}`, room.url);
  const sentAt = new Map<string, number>();
  const seen = new Map<string, number>();
  const updateMs: number[] = [];
  const stop = followEvents(room.url, (snapshot, at) => {
    for (const p of snapshot.participants) {
      for (let seq = (seen.get(p.name) ?? 0) + 1; seq <= p.checks; seq++) {
        const sent = sentAt.get(`${p.name}#${seq}`);
        if (sent !== undefined) updateMs.push(at - sent);
      }
      seen.set(p.name, Math.max(seen.get(p.name) ?? 0, p.checks));
    }
  });
  const statuses = new Map<number, number>();
  const postMs: number[] = [];
  const posts: Promise<void>[] = [];
  const rounds = Math.floor(c.durationSec / c.everySec);
  const names = Array.from({ length: c.participants }, (_, i) => `participant-${String(i + 1).padStart(3, '0')}`);
  const started = performance.now();
  const send = async (name: string, seq: number) => {
    const report: RoomReport = {
      name,
      lab: '02-low-latency',
      passed: seq % 3 === 0,
      failing: seq % 3 === 0 ? [] : [{ name: 'p50', measured: `p50 ${300 + seq} ms` }],
      checks: seq,
      hintsUsed: seq >> 2,
    };
    const at = performance.now();
    sentAt.set(`${name}#${seq}`, at);
    const response = await fetch(reportUrl, { method: 'POST', body: JSON.stringify(report), headers: { 'content-type': 'application/json' } }).catch(
      () => undefined,
    );
    postMs.push(performance.now() - at);
    statuses.set(response?.status ?? 0, (statuses.get(response?.status ?? 0) ?? 0) + 1);
    await response?.arrayBuffer().catch(() => undefined);
  };
  // Each participant posts at its own offset within the period, as a room's checks spread out.
  const timers = names.flatMap((name, i) =>
    Array.from({ length: rounds }, (_, round) => {
      const due = (round * c.everySec + (i / c.participants) * c.everySec) * 1000;
      return setTimeout(() => posts.push(send(name, round + 1)), due);
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, rounds * c.everySec * 1000 + 100));
  await Promise.all(posts);
  // The page's last update of the run: every final report shown, or the wait timed out.
  const deadline = performance.now() + 5000;
  while (names.some((n) => (seen.get(n) ?? 0) < rounds) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const wallSec = (performance.now() - started) / 1000;
  const board = room.board.snapshot();
  for (const t of timers) clearTimeout(t);
  stop();
  await room.close();
  rmSync(dir, { recursive: true, force: true });
  const sent = rounds * c.participants;
  const shownLast = names.filter((n) => seen.get(n) === rounds).length;
  const updates = summarize(updateMs);
  return {
    kind: 'room',
    case: c,
    sent,
    answered200: statuses.get(200) ?? 0,
    accepted: board.accepted,
    lost: sent - board.accepted + (c.participants - board.participants.filter((p) => p.checks === rounds).length),
    shownLast,
    updateMs: updates,
    postMs: summarize(postMs),
    wallSec: Math.round(wallSec * 10) / 10,
    metGoal: board.accepted === sent && shownLast === c.participants && updates.p99 < c.goalUpdateP99Ms,
  };
}
