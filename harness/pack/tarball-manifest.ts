// Files out of an npm tarball (a gzipped tar whose one top folder, usually "package/", holds the
// package): its package.json, which a registry serves as the version's manifest, and the Node.js
// binary the `node-<platform>` packages carry, whose sha256 is pinned. Read with Node's zlib and
// the tar header layout (POSIX ustar: name at 0, size in octal at 124, type at 156, prefix at
// 345), so the venue pack needs no tar library.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const BLOCK = 512;

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString('utf8');
}

/** The bytes of the regular file at `inPackage` (a path below the tarball's top folder), or undefined. */
export function tarballFile(path: string, inPackage: string): Buffer | undefined {
  const tar = gunzipSync(readFileSync(path));
  let longName: string | undefined;
  for (let at = 0; at + BLOCK <= tar.length; ) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 48);
    const body = tar.subarray(at + BLOCK, at + BLOCK + size);
    const prefix = field(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = undefined;
    if (type === 'L') longName = body.toString('utf8').replace(/\0+$/, '');
    else if (type === 'x') longName = /\d+ path=([^\n]+)\n/.exec(body.toString('utf8'))?.[1];
    else if ((type === '0' || type === '\0') && name.slice(name.indexOf('/') + 1) === inPackage && name.indexOf('/') > 0) return body;
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return undefined;
}

/** The manifest of the tarball at `path`; throws when it holds no top-level package.json. */
export function tarballManifest(path: string): Record<string, unknown> {
  const manifest = tarballFile(path, 'package.json');
  if (!manifest) throw new Error(`${path} holds no package.json at its top level`);
  return JSON.parse(manifest.toString('utf8')) as Record<string, unknown>;
}
