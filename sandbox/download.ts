// Downloads from a Maven repository over HTTP(S). A file reaches its final name only once its size
// and sha256 are the expected ones (a rename, so a reader never sees half a file); until then it
// is a partial file beside it, <name>.part-<pid>-<id>, which a later run resumes with an HTTP
// Range request. Network errors, 5xx, 408 and 429 are retried a bounded number of times with
// backoff; 404 and the other 4xx are not, since asking again gets the same answer.
//
// Processes share the cache without a lock: each downloads into a partial file of its own, and the
// rename of a verified file over another verified copy changes nothing. A partial file whose owner
// is gone (or that has not grown for a while) is taken over by renaming it, which only one
// process can win.

import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, readdirSync, renameSync, rmSync, statSync, truncateSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SandboxError } from './errors.ts';
import { isPidAlive } from './process.ts';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** Wait before the second try; each later wait doubles. */
  firstDelayMs: number;
}

/** Five tries over about 7.5 s: a dropped connection or a proxy's hiccup, not an outage. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, firstDelayMs: 500 };
/** A download that receives nothing for this long is cut and tried again (resuming). */
const STALL_MS = 30_000;
/** A partial file untouched for this long is abandoned, whoever owns it (a recycled pid, another machine). */
const ABANDONED_MS = 2 * STALL_MS;

/** A download that failed for good: `reason` says what the repository or the network answered. */
export class DownloadError extends SandboxError {
  override name = 'DownloadError';
  constructor(
    readonly url: string,
    readonly reason: string,
    readonly attempts: number,
    transient: boolean,
  ) {
    super(`${url}: ${reason} (${attempts === 1 ? 'not retried' : `after ${attempts} tries`}).`, { transient });
  }
}

type Outcome = { ok: true } | { ok: false; permanent: boolean; reason: string };

export interface DownloadRequest {
  url: string;
  /** The final path; the file appears there only when verified. */
  dest: string;
  size: number;
  sha256: string;
  retry?: RetryPolicy;
  /** Aborting stops the download and keeps its partial file for a later resume. */
  signal?: AbortSignal;
  /** Bytes received (negative when received bytes were thrown away): for a progress bar. */
  onBytes?: (delta: number) => void;
}

/** Partial files this process is writing: never taken over by its own other downloads. */
const writing = new Set<string>();

/** Downloads `url` to `dest`, resuming a partial file left by an earlier run; throws a DownloadError. */
export async function downloadVerified(request: DownloadRequest): Promise<void> {
  const retry = request.retry ?? DEFAULT_RETRY;
  const partial = claimPartial(request.dest);
  writing.add(partial);
  try {
    let last = '';
    for (let attempt = 1; attempt <= retry.attempts; attempt++) {
      if (attempt > 1) await pause(retry.firstDelayMs * 2 ** (attempt - 2), request.signal);
      const outcome = await tryDownload(request, partial);
      if (outcome.ok) {
        renameSync(partial, request.dest);
        return;
      }
      if (outcome.permanent) throw new DownloadError(request.url, outcome.reason, attempt, false);
      last = outcome.reason;
    }
    throw new DownloadError(request.url, last, retry.attempts, true);
  } finally {
    writing.delete(partial);
    if (sizeOf(partial) === 0) rmSync(partial, { force: true });
  }
}

async function tryDownload(request: DownloadRequest, partial: string): Promise<Outcome> {
  const report = request.onBytes ?? (() => undefined);
  let have = sizeOf(partial);
  const resumed = have > 0;
  const restart = () => {
    truncateSync(partial, 0);
    report(-have);
    have = 0;
  };
  if (have > request.size) restart();
  if (have < request.size) {
    const controller = new AbortController();
    const cancel = () => controller.abort();
    request.signal?.addEventListener('abort', cancel);
    let stalled = false;
    let timer: NodeJS.Timeout | undefined;
    const watch = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        controller.abort();
      }, STALL_MS);
    };
    try {
      watch();
      // identity: a compressed answer would make byte ranges mean something else.
      const headers: Record<string, string> = { 'accept-encoding': 'identity' };
      if (have > 0) headers.range = `bytes=${have}-`;
      const response = await fetch(request.url, { headers, signal: controller.signal });
      if (response.status === 206) {
        if (contentRangeStart(response.headers.get('content-range')) !== have) {
          await response.body?.cancel();
          restart();
          return { ok: false, permanent: false, reason: 'the server answered a resumed download with another byte range' };
        }
      } else if (response.status === 200) {
        if (have > 0) restart(); // the server ignores Range: start over
      } else {
        await response.body?.cancel();
        if (response.status === 416) {
          restart();
          return { ok: false, permanent: false, reason: 'the server refused the byte range of a resumed download (HTTP 416)' };
        }
        return {
          ok: false,
          permanent: !retriableStatus(response.status),
          reason: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
        };
      }
      const file = await open(partial, 'a');
      try {
        for await (const chunk of (response.body ?? []) as unknown as AsyncIterable<Uint8Array>) {
          watch();
          if (have + chunk.length > request.size) {
            controller.abort();
            restart();
            return { ok: false, permanent: false, reason: `the server sent more than the ${request.size} bytes the lock expects` };
          }
          await file.write(chunk);
          have += chunk.length;
          report(chunk.length);
        }
      } finally {
        await file.close();
      }
      if (have < request.size) return { ok: false, permanent: false, reason: `the connection closed after ${have} of ${request.size} bytes` };
    } catch (error) {
      if (request.signal?.aborted) throw error;
      return { ok: false, permanent: false, reason: stalled ? `no data for ${STALL_MS / 1000} s` : networkReason(error) };
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', cancel);
    }
  }
  const digest = await sha256File(partial);
  if (digest === request.sha256) return { ok: true };
  restart();
  // A resumed file may have begun with other bytes (a file replaced on the server): one more try
  // from the start settles it; a whole download with the wrong sum will not change by asking again.
  return { ok: false, permanent: !resumed, reason: `the bytes served have sha256 ${digest}, not the ${request.sha256} of the lock` };
}

/** A small text file (a published checksum); undefined when the repository has none (404). */
export async function fetchText(url: string, retry: RetryPolicy = DEFAULT_RETRY): Promise<string | undefined> {
  let last = '';
  for (let attempt = 1; attempt <= retry.attempts; attempt++) {
    if (attempt > 1) await pause(retry.firstDelayMs * 2 ** (attempt - 2));
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(STALL_MS) });
      if (response.ok) return await response.text();
      await response.body?.cancel();
      if (response.status === 404) return undefined;
      last = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
      if (!retriableStatus(response.status)) throw new DownloadError(url, last, attempt, false);
    } catch (error) {
      if (error instanceof DownloadError) throw error;
      last = networkReason(error);
    }
  }
  throw new DownloadError(url, last, retry.attempts, true);
}

/** Runs `fn` over `items`, at most `limit` at a time; rejects with the first error once all settled. */
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const i = next++;
      try {
        await fn(items[i], i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}

function retriableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** fetch() says only "fetch failed"; the reason (ECONNREFUSED 127.0.0.1:8081, ...) is in its cause. */
function networkReason(error: unknown): string {
  let e = error as { message?: string; cause?: unknown; code?: string; name?: string } | undefined;
  while (e?.cause && typeof e.cause === 'object') e = e.cause as typeof e;
  if (e?.name === 'TimeoutError') return `no answer within ${STALL_MS / 1000} s`;
  const message = (e?.message ?? String(error)).replace(/\s+/g, ' ').trim();
  return e?.code && !message.includes(e.code) ? `${e.code} ${message}` : message;
}

function contentRangeStart(header: string | null): number | undefined {
  const match = header ? /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(header.trim()) : null;
  return match ? Number(match[1]) : undefined;
}

/** Resolves after `ms`, or rejects at once when `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', stop, { once: true });
  });
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * The partial file this download writes: an abandoned one of an earlier run (taken over by a
 * rename, so two processes never write one file), else a new, empty name.
 */
function claimPartial(dest: string): string {
  const dir = dirname(dest);
  const prefix = `${basename(dest)}.part-`;
  const mine = join(dir, `${prefix}${process.pid}-${randomUUID().slice(0, 8)}`);
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((name) => name.startsWith(prefix));
  } catch {
    // no folder yet: nothing to resume
  }
  for (const name of names) {
    const path = join(dir, name);
    const owner = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    try {
      const ours = owner === process.pid && !writing.has(path);
      const abandoned = ours || !isPidAlive(owner) || Date.now() - statSync(path).mtimeMs > ABANDONED_MS;
      if (!abandoned) continue;
      renameSync(path, mine);
      return mine;
    } catch {
      // another process took it first, or it is gone
    }
  }
  return mine;
}
