// Unpacks a locked .tar.gz application archive (jar-lock.ts ARCHIVE_SUFFIX) with Node alone: the
// fetch runs with nothing on PATH (no tar on a bare Windows or in the tests' empty PATH), and the
// archive's bytes were already checked against the lock's sha256, so only its layout is checked
// here. Reads POSIX ustar (with its name prefix), pax "path" records and GNU long names: the forms
// a Maven assembly writes. Regular files and folders only; a link or device entry is refused, as is
// any path leaving the destination.

import { closeSync, createReadStream, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { createGunzip } from 'node:zlib';
import { SandboxError } from './errors.ts';

const BLOCK = 512;

interface Entry {
  path: string;
  type: 'file' | 'dir' | 'skip';
  size: number;
}

/** Unpacks `archive` into `dest` (created); throws a SandboxError for an entry it will not write. */
export async function unpackTarGz(archive: string, dest: string): Promise<{ files: number; bytes: number }> {
  mkdirSync(dest, { recursive: true });
  let pending: Buffer = Buffer.alloc(0);
  let entry: Entry | undefined;
  let left = 0;
  let padding = 0;
  let fd: number | undefined;
  let longName: string | undefined;
  let collecting: { kind: 'pax' | 'gnu'; chunks: Buffer[] } | undefined;
  let ended = false;
  let files = 0;
  let bytes = 0;
  const refuse = (why: string) => new SandboxError(`The archive ${archive} ${why}; delete it and run \`npm run sandbox:fetch\` again.`);

  const target = (path: string): string => {
    const clean = normalize(path).replace(/[\\/]+$/, '');
    if (!clean || clean === '.' || clean.startsWith('..') || clean.startsWith(sep) || /^[A-Za-z]:/.test(clean)) {
      throw refuse(`holds the path "${path}", which leaves its folder`);
    }
    return join(dest, clean);
  };

  const startEntry = (header: Buffer): void => {
    const size = octal(header.subarray(124, 136));
    const flag = String.fromCharCode(header[156] || 0x30);
    const magic = header.subarray(257, 263).toString('latin1');
    const prefix = magic.startsWith('ustar') ? cString(header.subarray(345, 500)) : '';
    const name = longName ?? (prefix ? `${prefix}/${cString(header.subarray(0, 100))}` : cString(header.subarray(0, 100)));
    longName = undefined;
    if (flag === 'x' || flag === 'L') {
      collecting = { kind: flag === 'x' ? 'pax' : 'gnu', chunks: [] };
      entry = { path: '', type: 'skip', size };
    } else if (flag === 'g') {
      entry = { path: name, type: 'skip', size };
    } else if (flag === '0' || flag === '7') {
      const file = target(name);
      mkdirSync(dirname(file), { recursive: true });
      fd = openSync(file, 'w');
      entry = { path: name, type: 'file', size };
      files++;
    } else if (flag === '5') {
      mkdirSync(target(name), { recursive: true });
      entry = { path: name, type: 'dir', size: 0 };
    } else {
      throw refuse(`holds "${name}" of tar type ${flag}, not a file or a folder`);
    }
    left = entry.size;
    padding = (BLOCK - (entry.size % BLOCK)) % BLOCK;
  };

  const endEntry = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    if (collecting) {
      const text = Buffer.concat(collecting.chunks).toString('utf8');
      longName = collecting.kind === 'gnu' ? text.replace(/\0.*$/s, '') : paxPath(text);
      collecting = undefined;
    }
    entry = undefined;
  };

  const gunzip = createReadStream(archive).pipe(createGunzip());
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      let at = 0;
      while (!ended) {
        if (entry && left > 0) {
          const take = Math.min(left, pending.length - at);
          if (take === 0) break;
          const part = pending.subarray(at, at + take);
          if (fd !== undefined) writeSync(fd, part);
          else if (collecting) collecting.chunks.push(Buffer.from(part));
          if (entry.type === 'file') bytes += take;
          at += take;
          left -= take;
          continue;
        }
        if (entry && padding > 0) {
          const skip = Math.min(padding, pending.length - at);
          if (skip === 0) break;
          at += skip;
          padding -= skip;
          continue;
        }
        if (entry) endEntry();
        if (pending.length - at < BLOCK) break;
        const header = pending.subarray(at, at + BLOCK);
        at += BLOCK;
        if (header.every((b) => b === 0)) {
          ended = true;
          break;
        }
        if (!checksumMatches(header)) throw refuse('has a damaged tar header');
        startEntry(header);
      }
      pending = pending.subarray(at);
      if (ended) break;
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
    gunzip.destroy();
  }
  if (!ended && (entry || pending.length > 0)) throw refuse('ends in the middle of an entry');
  return { files, bytes };
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

function octal(bytes: Buffer): number {
  const text = cString(bytes).trim();
  return text ? Number.parseInt(text, 8) : 0;
}

/** A header's checksum: the sum of its bytes with the checksum field read as spaces. */
function checksumMatches(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return sum === octal(header.subarray(148, 156));
}

/** The "path" of pax records ("<length> path=<value>\n" ...), if any. */
function paxPath(text: string): string | undefined {
  for (const record of text.split('\n')) {
    const match = /^\d+ path=(.*)$/s.exec(record);
    if (match) return match[1];
  }
  return undefined;
}
