// The instructor's room board as a value: who is on which lab, their latest check, and what most
// of the room is stuck on. Pure, with an injected clock, so its rules (the join code, the flood
// limit, the room's size) are tested without a server; room-server.ts wires it to HTTP.
import type { RoomReport } from './room-report.ts';

export interface ParticipantRow extends RoomReport {
  /** When this participant's first report of their current lab arrived (ms since the epoch). */
  onLabSince: number;
  lastAt: number;
  /** Labs with a passing check. */
  done: string[];
}

export interface StuckFinding {
  lab: string;
  finding: string;
  /** Participants whose latest check of `lab` fails on it... */
  count: number;
  /** ...of those whose latest report is of `lab`. */
  of: number;
}

export interface BoardSnapshot {
  code: string;
  participants: ParticipantRow[];
  stuckOn: StuckFinding[];
  /** Reports accepted since the board started or was restored. */
  accepted: number;
}

/** What the state file keeps, so a restarted board loses nothing. */
export interface SavedRoom {
  version: 1;
  code: string;
  participants: ParticipantRow[];
  accepted: number;
}

export type Verdict = { status: 200 } | { status: 403 | 409 | 429; message: string };

/** A participant may send a burst of this many reports... */
export const FLOOD_BURST = 5;
/** ...then one per this many ms. A check takes a minute; the load test posts every 5 s. */
export const FLOOD_REFILL_MS = 2000;
/** More names than a room holds is someone scripting the board, not a room. */
export const MAX_PARTICIPANTS = 500;

export class RoomBoard {
  readonly code: string;
  readonly #rows = new Map<string, ParticipantRow>();
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  #accepted = 0;

  constructor(
    code: string,
    private readonly now: () => number = Date.now,
    saved?: SavedRoom,
  ) {
    this.code = saved?.code ?? code;
    for (const row of saved?.participants ?? []) this.#rows.set(row.name, row);
    this.#accepted = saved?.accepted ?? 0;
  }

  accept(code: string | undefined, report: RoomReport): Verdict {
    if (code !== this.code) return { status: 403, message: 'the join code is missing or wrong: use the room URL the instructor shows, with its ?code=' };
    if (!this.#rows.has(report.name) && this.#rows.size >= MAX_PARTICIPANTS) {
      return { status: 409, message: `the room is full (${MAX_PARTICIPANTS} participants)` };
    }
    if (!this.#take(report.name)) {
      return { status: 429, message: `too many reports from ${report.name}: at most ${FLOOD_BURST} at once, then one every ${FLOOD_REFILL_MS / 1000} s` };
    }
    const at = this.now();
    const before = this.#rows.get(report.name);
    const sameLab = before?.lab === report.lab;
    const done = new Set(before?.done ?? []);
    if (report.passed) done.add(report.lab);
    this.#rows.set(report.name, { ...report, onLabSince: sameLab ? before.onLabSince : at, lastAt: at, done: [...done].sort() });
    this.#accepted++;
    return { status: 200 };
  }

  #take(name: string): boolean {
    const at = this.now();
    const bucket = this.#buckets.get(name) ?? { tokens: FLOOD_BURST, at };
    bucket.tokens = Math.min(FLOOD_BURST, bucket.tokens + (at - bucket.at) / FLOOD_REFILL_MS);
    bucket.at = at;
    this.#buckets.set(name, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  snapshot(): BoardSnapshot {
    const participants = [...this.#rows.values()].sort((a, b) => a.name.localeCompare(b.name));
    return { code: this.code, participants, stuckOn: stuckOn(participants), accepted: this.#accepted };
  }

  saved(): SavedRoom {
    return { version: 1, code: this.code, participants: [...this.#rows.values()], accepted: this.#accepted };
  }
}

/** The failing findings shared by at least two participants on the same lab, most shared first. */
export function stuckOn(rows: readonly ParticipantRow[], most = 5): StuckFinding[] {
  const onLab = new Map<string, number>();
  const failing = new Map<string, StuckFinding>();
  for (const row of rows) {
    onLab.set(row.lab, (onLab.get(row.lab) ?? 0) + 1);
    if (row.passed) continue;
    for (const f of new Set(row.failing.map((x) => x.name))) {
      const key = `${row.lab}\u0000${f}`;
      const entry = failing.get(key) ?? { lab: row.lab, finding: f, count: 0, of: 0 };
      entry.count++;
      failing.set(key, entry);
    }
  }
  return [...failing.values()]
    .map((s) => ({ ...s, of: onLab.get(s.lab) ?? s.count }))
    .filter((s) => s.count >= 2)
    .sort((a, b) => b.count - a.count || a.lab.localeCompare(b.lab) || a.finding.localeCompare(b.finding))
    .slice(0, most);
}
