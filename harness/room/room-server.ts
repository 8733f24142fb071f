// `workshop room`: the board an instructor serves on the room's LAN (no AWS, no internet).
// Participants' checks POST their summary; the page follows the board over server-sent events.
// The board is saved to a file after every accepted report, so a restart loses nothing.
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { UsageError } from '../errors.ts';
import { writeAtomically } from '../exercise/workspace.ts';
import { RoomBoard, type SavedRoom } from './room-board.ts';
import { roomPage } from './room-page.ts';
import { MAX_REPORT_BYTES, parseRoomReport } from './room-report.ts';

export const DEFAULT_ROOM_PORT = 4320;
/** The page's updates are batched: a room of 100 checking at once is one update, not 100. */
const PUSH_EVERY_MS = 200;
/** No ambiguous characters (0/O, 1/I/L), so a code read off a projector is typed right. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function newJoinCode(): string {
  return Array.from({ length: 6 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
}

export interface RoomServer {
  /** The board's page. */
  url: string;
  /** What participants pass to `--room`: the page's address with the join code. */
  joinUrl: string;
  board: RoomBoard;
  close(): Promise<void>;
}

export interface RoomOptions {
  port?: number;
  /** Where to listen: 127.0.0.1 unless the instructor opens it to the LAN (0.0.0.0 or an address). */
  host?: string;
  /** The board's file; a board found there is restored. */
  stateFile: string;
  now?: () => number;
}

function restore(stateFile: string): SavedRoom | undefined {
  if (!existsSync(stateFile)) return undefined;
  try {
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as SavedRoom;
    if (saved.version === 1 && typeof saved.code === 'string' && Array.isArray(saved.participants)) return saved;
  } catch {
    // A damaged file is replaced by the first accepted report; the board starts empty.
  }
  return undefined;
}

export async function startRoom(options: RoomOptions): Promise<RoomServer> {
  const host = options.host ?? '127.0.0.1';
  const board = new RoomBoard(newJoinCode(), options.now, restore(options.stateFile));
  writeAtomically(options.stateFile, JSON.stringify(board.saved()));
  const page = roomPage();
  const listeners = new Set<ServerResponse>();
  let pending: NodeJS.Timeout | undefined;
  const push = () => {
    pending ??= setTimeout(() => {
      pending = undefined;
      const data = `data: ${JSON.stringify(board.snapshot())}\n\n`;
      for (const listener of listeners) listener.write(data);
    }, PUSH_EVERY_MS);
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://room');
    if (request.method === 'GET' && url.pathname === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
    } else if (request.method === 'GET' && url.pathname === '/api/board') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(board.snapshot()));
    } else if (request.method === 'GET' && url.pathname === '/events') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      response.write(`data: ${JSON.stringify(board.snapshot())}\n\n`);
      listeners.add(response);
      request.on('close', () => listeners.delete(response));
    } else if (url.pathname === '/api/report') {
      if (request.method !== 'POST') return void response.writeHead(405, { allow: 'POST' }).end('POST a report');
      receive(request, response, url.searchParams.get('code') ?? undefined, board, () => {
        writeAtomically(options.stateFile, JSON.stringify(board.saved()));
        push();
      });
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the room serves /, /events, /api/board and POST /api/report.');
    }
  });
  await listen(server, options.port ?? DEFAULT_ROOM_PORT, host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/`;
  return {
    url,
    joinUrl: `${url}?code=${board.code}`,
    board,
    close: () =>
      new Promise<void>((resolve) => {
        clearTimeout(pending);
        for (const listener of listeners) listener.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status === 200 ? { ok: true } : { ok: false, error: message }));
}

function receive(request: IncomingMessage, response: ServerResponse, code: string | undefined, board: RoomBoard, accepted: () => void): void {
  if (code !== board.code) {
    // Refused before the body is read: a post without the code costs the board nothing.
    request.resume();
    return answer(response, 403, 'the join code is missing or wrong: use the room URL the instructor shows, with its ?code=');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_REPORT_BYTES && !refused) {
      refused = true;
      answer(response, 413, `a report is at most ${MAX_REPORT_BYTES} bytes`);
      request.resume();
    } else if (!refused) chunks.push(chunk);
  });
  request.on('end', () => {
    if (refused) return;
    const report = parseRoomReport(Buffer.concat(chunks).toString('utf8'));
    if ('problem' in report) return answer(response, 400, `not a room report: ${report.problem}`);
    const verdict = board.accept(code, report);
    if (verdict.status === 200) accepted();
    answer(response, verdict.status, 'message' in verdict ? verdict.message : 'ok');
  });
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        reject(new UsageError(`Port ${port} on ${host} is in use, so the room board cannot start there: pass --port N (0 picks any free port).`));
      else if (error.code === 'EADDRNOTAVAIL')
        reject(new UsageError(`${host} is not an address of this machine: pass --host with one of its addresses, or 0.0.0.0 for all.`));
      else reject(error);
    });
    server.listen(port, host, () => resolve());
  });
}
