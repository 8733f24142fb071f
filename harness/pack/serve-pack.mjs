// A venue pack's server, copied into the pack as serve.mjs: plain Node.js, no packages, so it runs
// on a laptop that has not installed the workshop yet (a learner with the pack on a USB stick) as
// well as on the instructor's. It checks every file against SHA256SUMS first (a copied stick can
// be damaged), then serves the folder as an npm registry (/npm/: the tarballs at the registry's
// own paths, and each package's document with tarball addresses on this server) and as a Maven
// mirror (/maven/). GET and HEAD only, nothing outside the folder.
//
//   node serve.mjs [--host ADDRESS] [--port N]     127.0.0.1 and 4330 unless given
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { networkInterfaces } from 'node:os';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_PACK_PORT = 4330;

// sandbox/download.ts's sha256File, copied: this file runs alone from a USB stick, with nothing else of the project beside it.
function sha256(path) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Every file of SHA256SUMS present with its sum; the first damaged or missing one otherwise. */
export async function verifyPack(root = ROOT) {
  const sums = join(root, 'SHA256SUMS');
  if (!existsSync(sums)) return { problem: `${root} has no SHA256SUMS: it is not a venue pack, or an incomplete copy; copy the whole folder again.` };
  const lines = readFileSync(sums, 'utf8').split('\n').filter(Boolean);
  let bytes = 0;
  for (const line of lines) {
    const [expected, file] = [line.slice(0, 64), line.slice(66)];
    const path = join(root, file);
    if (!existsSync(path)) return { problem: `${file} is missing from the pack: copy the whole folder again.` };
    if ((await sha256(path)) !== expected) return { problem: `${file} is damaged (its sha256 differs from SHA256SUMS): copy the pack again.` };
    bytes += statSync(path).size;
  }
  return { files: lines.length, bytes };
}

/** The file a request path names inside the pack, or undefined for anything outside it. */
function inside(root, urlPath) {
  const path = normalize(join(root, urlPath));
  return path.startsWith(root + sep) ? path : undefined;
}

function packument(root, name, base) {
  const file = inside(root, join('npm', name, 'packument.json'));
  if (!file || !existsSync(file)) return undefined;
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  for (const version of Object.values(doc.versions)) version.dist.tarball = `${base}/npm/${version.dist.tarball}`;
  return JSON.stringify(doc);
}

export function startPackServer({ root = ROOT, host = '127.0.0.1', port = DEFAULT_PACK_PORT } = {}) {
  const server = createServer((request, response) => {
    const send = (status, body, type = 'text/plain; charset=utf-8') => {
      response.writeHead(status, { 'content-type': type });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'The venue pack only serves GET and HEAD.\n');
    let path;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://pack').pathname);
    } catch {
      return send(400, 'Malformed path.\n');
    }
    if (path === '/') return send(200, `A workshop venue pack: the npm registry is /npm/, the Maven mirror /maven/.\n`);
    if (path.startsWith('/npm/') && !path.includes('/-/')) {
      const doc = packument(root, path.slice('/npm/'.length).replace(/\/$/, ''), `http://${request.headers.host}`);
      return doc ? send(200, doc, 'application/json') : send(404, `Not in the venue pack: ${path}\n`);
    }
    const file = path.startsWith('/npm/') || path.startsWith('/maven/') ? inside(root, path) : undefined;
    if (!file || !existsSync(file) || !statSync(file).isFile()) return send(404, `Not in the venue pack: ${path}\n`);
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': statSync(file).size });
    if (request.method === 'HEAD') return response.end();
    createReadStream(file).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({ url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

/** What a learner runs against a pack served at `url`. */
export function learnerCommands(url) {
  return [`npm install --registry ${url}/npm/`, `WORKSHOP_MAVEN_MIRROR=${url}/maven/ npm run sandbox:fetch`];
}

function lanAddresses() {
  const found = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a.address);
  return found.length > 0 ? found : ['127.0.0.1'];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  let options;
  try {
    options = parseArgs({ options: { host: { type: 'string' }, port: { type: 'string' } } }).values;
  } catch (error) {
    console.error(`serve.mjs: ${error.message.split('\n')[0]}; it takes --host ADDRESS and --port N.`);
    process.exit(2);
  }
  const port = options.port === undefined ? DEFAULT_PACK_PORT : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve.mjs: --port ${options.port} is not a port: give a whole number from 0 to 65535.`);
    process.exit(2);
  }
  const started = performance.now();
  const checked = await verifyPack();
  if (checked.problem) {
    console.error(checked.problem);
    process.exit(1);
  }
  const host = options.host ?? '127.0.0.1';
  let served;
  try {
    served = await startPackServer({ host, port });
  } catch (error) {
    console.error(`Cannot serve on ${host}:${port} (${error.code ?? error.message}): pick another with --port N.`);
    process.exit(3);
  }
  const everywhere = host === '0.0.0.0' || host === '::';
  const urls = everywhere ? lanAddresses().map((address) => served.url.replace(host, address)) : [served.url];
  console.log(
    [
      `Venue pack: ${checked.files} files (${Math.round(checked.bytes / 1e6)} MB) match SHA256SUMS (checked in ${((performance.now() - started) / 1000).toFixed(1)} s).`,
      `Serving ${ROOT} at ${urls.join(', ')}${host === '127.0.0.1' ? ' (this machine only: --host 0.0.0.0 serves the room)' : ''}.`,
      'Learners run, in the workshop folder:',
      ...learnerCommands(urls[0]).map((command) => `  ${command}`),
      'Ctrl+C stops it.',
    ].join('\n'),
  );
}
