// The application archive's unpacking (sandbox/unpack-archive.ts) on archives written header by
// header: every name form a Maven assembly writes comes out at its path with its bytes, and an
// entry that would write outside the folder, a link, a damaged header or a cut-off archive is one
// sentence naming the archive and the fix. The real archive (Apicurio Registry) is unpacked by
// test/sandbox/jars-central.test.ts and run by test/sandbox/schema-registry.test.ts.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SandboxError } from '../../sandbox/errors.ts';
import { unpackTarGz } from '../../sandbox/unpack-archive.ts';
import { rejection, tarGz } from './helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'workshop-unpack-'));
test.after(() => rmSync(scratch, { recursive: true, force: true }));

let n = 0;
function archive(bytes: Buffer): { file: string; dest: string } {
  n++;
  const file = join(scratch, `a${n}.tar.gz`);
  writeFileSync(file, bytes);
  return { file, dest: join(scratch, `out${n}`) };
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (`${length}${body}`.length !== length) length++;
  return Buffer.from(`${length}${body}`);
}

test('files and folders come out with their bytes, whether named plainly, by ustar prefix, pax path or GNU long name', async () => {
  const big = randomBytes(70_000);
  const longDir = `lib/${'d'.repeat(120)}`;
  const paxName = `lib/${'p'.repeat(150)}.jar`;
  const gnuName = `lib/${'g'.repeat(130)}.jar`;
  const { file, dest } = archive(
    tarGz([
      { name: 'meta/', type: '5' },
      { name: 'app-runner.jar', data: Buffer.from('runner') },
      { name: 'lib/big.jar', data: big },
      { name: 'empty.txt', data: Buffer.alloc(0) },
      { name: 'prefixed.jar', prefix: longDir, data: Buffer.from('prefixed') },
      { name: 'PaxHeader', type: 'x', data: paxRecord('path', paxName) },
      { name: 'truncated-name', data: Buffer.from('pax') },
      { name: '././@LongLink', type: 'L', data: Buffer.from(`${gnuName}\0`) },
      { name: 'cut', data: Buffer.from('gnu') },
    ]),
  );
  const result = await unpackTarGz(file, dest);
  assert.equal(result, { files: 6, bytes: 6 + big.length + 8 + 3 + 3 });
  assert.ok(existsSync(join(dest, 'meta')));
  assert.is(readFileSync(join(dest, 'app-runner.jar'), 'utf8'), 'runner');
  assert.equal(readFileSync(join(dest, 'lib/big.jar')), big);
  assert.is(readFileSync(join(dest, 'empty.txt')).length, 0);
  assert.is(readFileSync(join(dest, longDir, 'prefixed.jar'), 'utf8'), 'prefixed');
  assert.is(readFileSync(join(dest, paxName), 'utf8'), 'pax');
  assert.is(readFileSync(join(dest, gnuName), 'utf8'), 'gnu');
  assert.not.ok(existsSync(join(dest, 'truncated-name')));
  assert.not.ok(existsSync(join(dest, 'cut')));
});

function assertRefused(error: Error, file: string, why: RegExp): void {
  assert.instance(error, SandboxError, `${error.name}: ${error.message}`);
  const summary = (error as SandboxError).summary;
  assert.not.match(summary, /\n/);
  assert.ok(summary.startsWith(`The archive ${file} `), summary);
  assert.match(summary, why);
  assert.match(summary, /; delete it and run `npm run sandbox:fetch` again\.$/);
}

test('a path leaving the folder is refused and nothing is written outside it', async () => {
  for (const name of ['../escaped.jar', '/abs/escaped.jar', 'lib/../../escaped.jar']) {
    const { file, dest } = archive(tarGz([{ name, data: Buffer.from('x') }]));
    assertRefused(await rejection(() => unpackTarGz(file, dest)), file, new RegExp(`holds the path "${name.replace(/\./g, '\\.')}", which leaves its folder`));
  }
  assert.equal(
    readdirSync(scratch).filter((f) => f.includes('escaped')),
    [],
  );
});

test('a link entry is refused: the archive holds files and folders only', async () => {
  const { file, dest } = archive(tarGz([{ name: 'link.jar', type: '2' }]));
  assertRefused(await rejection(() => unpackTarGz(file, dest)), file, /holds "link\.jar" of tar type 2, not a file or a folder/);
});

test('a damaged header and an archive cut off mid-entry are refused', async () => {
  const whole = gunzipSync(tarGz([{ name: 'a.jar', data: randomBytes(5_000) }]));
  const damaged = Buffer.from(whole);
  damaged[10] ^= 0xff;
  const one = archive(gzipSync(damaged));
  assertRefused(await rejection(() => unpackTarGz(one.file, one.dest)), one.file, /has a damaged tar header/);
  const two = archive(gzipSync(whole.subarray(0, 3_000)));
  assertRefused(await rejection(() => unpackTarGz(two.file, two.dest)), two.file, /ends in the middle of an entry/);
});

test.run();
