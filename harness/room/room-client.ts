// A participant's side of the room board: where to send (from --room/--name or WORKSHOP_ROOM and
// WORKSHOP_NAME), checked before the check runs, and the send itself, which never fails a check
// and never holds it up by more than a second.
import { usageError } from '../command-args.ts';
import { nameProblem, type RoomReport } from './room-report.ts';

export const ROOM_TIMEOUT_MS = 1000;

export interface RoomTarget {
  /** The board's report address, with the join code. */
  reportUrl: string;
  /** As the participant gave it, for the one line printed. */
  room: string;
  name: string;
}

/** The room to report to, or undefined when none is set; bad input is a usage error. */
export function roomTarget(room: string | undefined, name: string | undefined, env: NodeJS.ProcessEnv = process.env): RoomTarget | undefined {
  const where = room ?? env.WORKSHOP_ROOM;
  const who = name ?? env.WORKSHOP_NAME;
  if (where === undefined && who === undefined) return undefined;
  if (!where) throw usageError("--name needs --room <url> (or WORKSHOP_ROOM): the room board's address the instructor shows");
  let url: URL;
  try {
    url = new URL(where);
  } catch {
    throw usageError(`--room ${where} is not a URL: give the address the room board shows, like http://192.168.1.20:4320/?code=ABC123`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || !url.searchParams.get('code')) {
    throw usageError(`--room ${where} has no join code: give the whole address the room board shows, ending in ?code=...`);
  }
  if (!who) throw usageError('--room needs --name <your name> (or WORKSHOP_NAME): the name the room board shows for you');
  const problem = nameProblem(who);
  if (problem) throw usageError(`--name ${JSON.stringify(who)}: ${problem}`);
  const report = new URL('/api/report', url);
  report.searchParams.set('code', url.searchParams.get('code')!);
  return { reportUrl: report.toString(), room: where, name: who.trim() };
}

/** Sends the check's summary; the one line to print, whatever happened. */
export async function sendToRoom(target: RoomTarget, report: RoomReport, timeoutMs = ROOM_TIMEOUT_MS): Promise<string> {
  try {
    const response = await fetch(target.reportUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(report),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.ok) return `Sent to the room board as ${target.name}.`;
    const reason = ((await response.json().catch(() => undefined)) as { error?: string } | undefined)?.error ?? `HTTP ${response.status}`;
    return `The room board refused this check (${reason}); your check itself is unaffected.`;
  } catch (error) {
    const why =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutMs / 1000} s`
        : ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
    return `The room board at ${target.room} could not be reached (${why}); your check itself is unaffected.`;
  }
}
