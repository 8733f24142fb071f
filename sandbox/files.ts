// The sandbox's own files: state files read back, server logs shown when something fails,
// temporary data folders removed, and folders listed and measured (the jar cache, a venue pack). A missing or unreadable file is an answer here (undefined, an
// empty tail), not an error: the callers are starting or stopping servers and go on without it.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A JSON file's content; undefined when it is missing or not JSON. */
export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The last `lines` lines of a file, reading from `fromOffset` on (at most the last 64 KiB). */
export function tailFile(path: string, lines = 30, fromOffset = 0): string {
  try {
    const size = statSync(path).size;
    const start = Math.max(fromOffset, size - 64 * 1024);
    const length = size - start;
    if (length <= 0) return '';
    const buffer = Buffer.alloc(length);
    const fd = openSync(path, 'r');
    try {
      readSync(fd, buffer, 0, length, start);
    } finally {
      closeSync(fd);
    }
    const all = buffer.toString('utf8').split('\n');
    if (all[all.length - 1] === '') all.pop();
    return all.slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Removes a folder if it exists (temp data dirs). */
export function removeDir(path: string): void {
  if (existsSync(path)) rmSync(path, { recursive: true, force: true });
}

/** Every regular file under a folder, at any depth (symlinks not followed). */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.isFile() ? [join(dir, entry.name)] : [],
  );
}

/** The bytes of every regular file under a folder. */
export function folderBytes(dir: string): number {
  return filesUnder(dir).reduce((sum, file) => sum + statSync(file).size, 0);
}
