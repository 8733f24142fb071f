// `workshop dashboard`: a small HTTP server on 127.0.0.1 that serves the live page, Chart.js
// from node_modules (so it works offline) and the newest run's feed as JSON.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.ts';
import { liveFeedDir, readLiveState } from './live-feed.ts';
import { dashboardPage } from './page.ts';

/** Stable, so an instructor's bookmark and a participant's URL keep working between runs. */
export const DEFAULT_DASHBOARD_PORT = 4310;
/** Sent with every API answer, so a run can tell our dashboard from another server on the port. */
const SIGNATURE = 'kafka-lambda-workshop-dashboard';

export interface DashboardServer {
  url: string;
  close(): Promise<void>;
}

function chartJsFile(): string {
  return join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
}

export async function startDashboard(options: { port?: number; feedDir?: string } = {}): Promise<DashboardServer> {
  const port = options.port ?? DEFAULT_DASHBOARD_PORT;
  const feedDir = options.feedDir ?? liveFeedDir();
  const page = dashboardPage();
  const chartJs = readFileSync(chartJsFile());
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (request.method !== 'GET') {
      response.writeHead(405, { allow: 'GET' }).end();
    } else if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
    } else if (path === '/chart.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=3600' }).end(chartJs);
    } else if (path === '/api/live') {
      response
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-dashboard': SIGNATURE })
        .end(JSON.stringify(readLiveState(feedDir)));
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the dashboard serves / and /api/live.');
    }
  });
  await listen(server, port);
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new UsageError(
            `Port ${port} on 127.0.0.1 is in use, so the dashboard cannot start there: stop what uses it, or pass --port N (0 picks any free port).`,
          ),
        );
      } else reject(error);
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

/** Whether the workshop's dashboard already answers on this port (another terminal's). */
export async function dashboardAt(port: number): Promise<string | undefined> {
  const url = `http://127.0.0.1:${port}/`;
  try {
    const response = await fetch(`${url}api/live`, { signal: AbortSignal.timeout(1000) });
    return response.headers.get('x-dashboard') === SIGNATURE ? url : undefined;
  } catch {
    return undefined;
  }
}
