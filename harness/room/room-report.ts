// What a participant's `workshop check --room` sends the instructor's board: the check's summary
// and nothing else (no code, no credentials, no paths). The writer and the board's reader are
// both here, so the two cannot disagree about the shape or its limits.
import type { CheckRecord } from '../exercise/progress.ts';

export interface RoomReport {
  /** The display name the participant chose. */
  name: string;
  /** Lab id (`02-low-latency`). */
  lab: string;
  passed: boolean;
  /** The failing findings' names, with what was measured: what the room board groups by. */
  failing: { name: string; measured?: string }[];
  /** Checks of this lab so far, this one included. */
  checks: number;
  /** Hint steps shown for this lab. */
  hintsUsed: number;
}

/** A body larger than this is refused: a summary is a few hundred bytes. */
export const MAX_REPORT_BYTES = 16 * 1024;
export const MAX_NAME_LENGTH = 40;
const MAX_FINDINGS = 30;
const MAX_TEXT = 200;

/** The summary of one check, as the participant's CLI sends it. */
export function roomReport(name: string, lab: string, record: CheckRecord, checks: number, hintsUsed: number): RoomReport {
  return {
    name,
    lab,
    passed: record.passed,
    failing: record.findings
      .filter((f) => !f.pass)
      .slice(0, MAX_FINDINGS)
      .map((f) => ({ name: f.name.slice(0, MAX_TEXT), ...(f.measured ? { measured: f.measured.slice(0, MAX_TEXT) } : {}) })),
    checks,
    hintsUsed,
  };
}

/** Why a display name is refused, or undefined when it is fine. */
export function nameProblem(name: string): string | undefined {
  if (name.trim().length === 0 || name.length > MAX_NAME_LENGTH || /[\u0000-\u001f<>]/.test(name)) {
    return `a display name is 1..${MAX_NAME_LENGTH} characters, without < > or control characters`;
  }
  return undefined;
}

/** The board's reading of a posted body: the report, or what is wrong with it. */
export function parseRoomReport(body: string): RoomReport | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { problem: 'the body is not JSON' };
  }
  const r = value as Partial<RoomReport> | null;
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return { problem: 'the body is not a JSON object' };
  if (typeof r.name !== 'string' || nameProblem(r.name)) return { problem: `name: ${typeof r.name === 'string' ? nameProblem(r.name) : 'missing'}` };
  if (typeof r.lab !== 'string' || !/^\d\d-[a-z0-9-]{1,40}$/.test(r.lab)) return { problem: 'lab: a lab id such as 02-low-latency' };
  if (typeof r.passed !== 'boolean') return { problem: 'passed: true or false' };
  if (!Array.isArray(r.failing) || r.failing.length > MAX_FINDINGS) return { problem: `failing: a list of at most ${MAX_FINDINGS} findings` };
  for (const f of r.failing) {
    const ok =
      f !== null &&
      typeof f === 'object' &&
      typeof f.name === 'string' &&
      f.name.length <= MAX_TEXT &&
      (f.measured === undefined || (typeof f.measured === 'string' && f.measured.length <= MAX_TEXT));
    if (!ok) return { problem: `failing: each finding is {name, measured?}, strings of at most ${MAX_TEXT} characters` };
  }
  for (const key of ['checks', 'hintsUsed'] as const) {
    const n = r[key];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 100_000) return { problem: `${key}: a whole number from 0 to 100000` };
  }
  return {
    name: r.name.trim(),
    lab: r.lab,
    passed: r.passed,
    failing: r.failing.map((f) => ({ name: f.name, ...(f.measured ? { measured: f.measured } : {}) })),
    checks: r.checks as number,
    hintsUsed: r.hintsUsed as number,
  };
}
