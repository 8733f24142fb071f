// What a room needs to install the workshop with no internet: every npm package the project's
// lock names (for the laptops' systems the instructor picks), the Node.js binary the `node`
// package installs, and the sandbox's jars, in one folder with its SHA256SUMS and the server
// (serve.mjs) that a learner or the instructor starts with plain Node.js. Tarballs come through
// `npm pack` (the instructor's npm config: registry, proxy, cache) and must match the lock's
// integrity; jars come from the jar cache (fetched first when missing) and must match
// jars.lock.json. The folder is written whole or not at all: built beside, then renamed.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { commandOutput } from '../../labs/command-output.ts';
import { REPO_ROOT } from '../../labs/stack-contract.ts';
import { WorkshopError } from '../../labs/workshop-error.ts';
import { filesUnder } from '../../sandbox/files.ts';
import { jarFileName, readLock } from '../../sandbox/jar-lock.ts';
import { COMPONENTS, ensureJars } from '../../sandbox/jars.ts';
import { publishedPin } from '../node-binary/installed-binary.ts';
import { isNodePlatform, NODE_PLATFORMS, type NodePlatform } from '../node-binary/platforms.ts';
import { tarballManifest } from './tarball-manifest.ts';

/** A laptop system the pack can install on: npm's `os` and `cpu` values. */
export interface PackPlatform {
  name: NodePlatform;
  os: 'darwin' | 'linux' | 'win32';
  cpu: 'arm64' | 'x64';
}

/** The systems a room's laptops run: those the scripts' Node.js binary is pinned for. */
export const PACK_PLATFORMS = NODE_PLATFORMS;

export function parsePlatform(text: string): PackPlatform {
  if (!isNodePlatform(text)) {
    throw new WorkshopError(
      `"${text}" is not a platform the pack knows: use any of ${PACK_PLATFORMS.join(', ')} (this laptop is ${process.platform}-${process.arch}).`,
      {
        category: 'badInput',
      },
    );
  }
  const [os, cpu] = text.split('-') as [PackPlatform['os'], PackPlatform['cpu']];
  return { name: text, os, cpu };
}

interface LockEntry {
  version?: string;
  integrity?: string;
  link?: boolean;
  inBundle?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

export interface PackedPackage {
  name: string;
  version: string;
  /** The sha512 integrity the tarball must have. */
  integrity?: string;
  /** Where that integrity is written: package-lock.json, or for the Node.js binaries (which the lock does not name) their pins. */
  pinnedIn?: string;
}

/** Whether a package installs on a platform, as npm decides from its os/cpu (and glibc for Linux). */
function installsOn(entry: LockEntry, platform: PackPlatform): boolean {
  // npm's os and cpu fields list what a package allows, or with "!" what it refuses.
  const allows = (list: string[] | undefined, value: string) =>
    !list || ((list.includes(value) || list.every((v) => v.startsWith('!'))) && !list.includes(`!${value}`));
  return allows(entry.os, platform.os) && allows(entry.cpu, platform.cpu) && (!entry.libc || entry.libc.includes('glibc'));
}

/** Every package of the lock that installs on at least one of the platforms. */
export function lockedPackages(lockFile: string, platforms: readonly PackPlatform[]): PackedPackage[] {
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { packages: Record<string, LockEntry> };
  const seen = new Map<string, PackedPackage>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path || entry.link || entry.inBundle || !entry.version) continue;
    if (!platforms.some((platform) => installsOn(entry, platform))) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    seen.set(`${name}@${entry.version}`, { name, version: entry.version, integrity: entry.integrity });
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/** The package the npm registry's `node` package installs on a platform, with its pinned integrity. */
export function nodeBinaryPackage(platform: PackPlatform, version: string): PackedPackage {
  const pin = publishedPin(platform.name, version);
  return { name: pin.package, version, integrity: pin.integrity, pinnedIn: 'harness/node-binary/pins.ts' };
}

async function run(command: string, args: string[], cwd: string): Promise<string> {
  const result = await commandOutput(command, args, { cwd });
  if (result.status === 0) return result.stdout;
  const why = result.spawnError ?? `exit ${result.status}`;
  throw new WorkshopError(`${command} ${args[0]} failed (${why}): ${result.stderr.trim().split('\n').at(-1) ?? ''}: check that npm can reach its registry.`, {
    category: 'environment',
  });
}

/** The registry's path of a package's tarball, below its name: `<name>/-/<basename>-<version>.tgz`. */
export function tarballPath(pkg: PackedPackage): string {
  return `${pkg.name}/-/${pkg.name.split('/').pop()}-${pkg.version}.tgz`;
}

/** A file's sha256 (for SHA256SUMS) and its npm integrity (sha512), from one read. */
function digests(path: string): { sha256: string; integrity: string } {
  const bytes = readFileSync(path);
  return { sha256: createHash('sha256').update(bytes).digest('hex'), integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}` };
}

/** A packed tarball's digests; throws when its integrity is not the one pinned for it. */
export function pinnedDigests(pkg: PackedPackage, tarball: string): { sha256: string; integrity: string } {
  const digest = digests(tarball);
  if (pkg.integrity && digest.integrity !== pkg.integrity) {
    throw new WorkshopError(
      `${pkg.name}@${pkg.version} from the registry differs from ${pkg.pinnedIn ?? 'package-lock.json'}'s integrity: check the registry npm is set to (npm config get registry).`,
      {
        category: 'environment',
      },
    );
  }
  return digest;
}

/** Each file's sha256 by its path in the pack, recorded as the file is written, so each is read once. */
type PackSums = Map<string, string>;

/**
 * `npm pack` the packages into `<pack>/npm` at the registry's paths; each must match the lock's
 * integrity. Returns each package's integrity, by `name@version`.
 */
async function packTarballs(packages: readonly PackedPackage[], pack: string, sums: PackSums, log: (line: string) => void): Promise<Map<string, string>> {
  const npmDir = join(pack, 'npm');
  const integrity = new Map<string, string>();
  const staging = join(npmDir, '.staging');
  mkdirSync(staging, { recursive: true });
  const batch = 40;
  for (let i = 0; i < packages.length; i += batch) {
    const slice = packages.slice(i, i + batch);
    const out = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', staging, ...slice.map((p) => `${p.name}@${p.version}`)], staging);
    const packed = JSON.parse(out) as { name: string; version: string; filename: string }[];
    for (const pkg of slice) {
      const file = packed.find((p) => p.name === pkg.name && p.version === pkg.version);
      if (!file) throw new WorkshopError(`npm pack did not write ${pkg.name}@${pkg.version}: run npx workshop pack again.`, { category: 'environment' });
      const from = join(staging, basename(file.filename));
      const digest = pinnedDigests(pkg, from);
      const to = join(npmDir, tarballPath(pkg));
      mkdirSync(dirname(to), { recursive: true });
      renameSync(from, to);
      integrity.set(`${pkg.name}@${pkg.version}`, digest.integrity);
      sums.set(`npm/${tarballPath(pkg)}`, digest.sha256);
    }
    log(`  npm packages: ${Math.min(i + batch, packages.length)} of ${packages.length}`);
  }
  rmSync(staging, { recursive: true, force: true });
  return integrity;
}

/** Each package's registry document (the versions in the pack, tarball paths relative to /npm/). */
function writePackuments(packages: readonly PackedPackage[], npmDir: string, integrity: Map<string, string>): void {
  const byName = new Map<string, PackedPackage[]>();
  for (const pkg of packages) byName.set(pkg.name, [...(byName.get(pkg.name) ?? []), pkg]);
  for (const [name, versions] of byName) {
    const doc = { name, 'dist-tags': { latest: versions.at(-1)!.version }, versions: {} as Record<string, unknown> };
    for (const pkg of versions) {
      const file = join(npmDir, tarballPath(pkg));
      doc.versions[pkg.version] = { ...tarballManifest(file), dist: { tarball: tarballPath(pkg), integrity: integrity.get(`${pkg.name}@${pkg.version}`) } };
    }
    writeFileSync(join(npmDir, name, 'packument.json'), `${JSON.stringify(doc)}\n`);
  }
}

/**
 * The jars of jars.lock.json at their Maven paths, from the jar cache (fetched first when missing);
 * each copy must have the lock's sha256 (the cache trusts its own stamp, the pack trusts nothing).
 */
async function copyJars(pack: string, sums: PackSums, env: NodeJS.ProcessEnv): Promise<number> {
  const lock = readLock();
  let count = 0;
  for (const component of COMPONENTS) {
    const set = await ensureJars(component, { env, progress: false });
    for (const jar of lock.components[component].jars) {
      const from = join(set.dir, jarFileName(jar));
      const to = join(pack, 'maven', jar.path);
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(from, to);
      if (digests(to).sha256 !== jar.sha256)
        throw new WorkshopError(`${from} differs from jars.lock.json: run npm run sandbox:fetch, then pack again.`, { category: 'environment' });
      sums.set(`maven/${jar.path}`, jar.sha256);
      count++;
    }
  }
  return count;
}

/** Whether a folder may be replaced: absent, empty, or an earlier pack. */
export function replaceablePack(dir: string): boolean {
  if (!existsSync(dir)) return true;
  const entries = readdirSync(dir);
  return entries.length === 0 || (entries.includes('SHA256SUMS') && entries.includes('serve.mjs'));
}

export interface VenuePackOptions {
  out: string;
  platforms: readonly PackPlatform[];
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface VenuePack {
  out: string;
  npmPackages: number;
  jars: number;
  files: number;
  bytes: number;
}

export async function writeVenuePack(options: VenuePackOptions): Promise<VenuePack> {
  const log = options.log ?? (() => {});
  if (!replaceablePack(options.out)) {
    throw new WorkshopError(`${options.out} is not empty and not an earlier venue pack: give --out a new or empty folder.`, { category: 'badInput' });
  }
  const building = `${options.out}.building`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  try {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const packages = [
      ...lockedPackages(join(REPO_ROOT, 'package-lock.json'), options.platforms),
      ...options.platforms.map((platform) => nodeBinaryPackage(platform, pkg.dependencies.node)),
    ];
    const sums: PackSums = new Map();
    const integrity = await packTarballs(packages, building, sums, log);
    writePackuments(packages, join(building, 'npm'), integrity);
    const jars = await copyJars(building, sums, options.env ?? process.env);
    log(`  jars: ${jars}`);
    copyFileSync(join(REPO_ROOT, 'harness/pack/serve-pack.mjs'), join(building, 'serve.mjs'));
    writeFileSync(join(building, 'README.md'), packReadme(options.platforms));
    const files = filesUnder(building)
      .map((file) => relative(building, file).split('\\').join('/'))
      .sort();
    // The tarballs and jars were summed as they were written; the rest (packuments, serve.mjs, README) now.
    const line = (file: string) => `${sums.get(file) ?? digests(join(building, file)).sha256}  ${file}\n`;
    writeFileSync(join(building, 'SHA256SUMS'), files.map(line).join(''));
    const bytes = files.reduce((sum, file) => sum + statSync(join(building, file)).size, 0);
    rmSync(options.out, { recursive: true, force: true });
    renameSync(building, options.out);
    return { out: options.out, npmPackages: packages.length, jars, files: files.length, bytes };
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    throw error;
  }
}

function packReadme(platforms: readonly PackPlatform[]): string {
  return `# Workshop venue pack

Everything a laptop needs to install the workshop with no internet: the npm packages of the
project's lock and the Node.js binary for ${platforms.map((p) => p.name).join(', ')},
and the Kafka and ElasticMQ jars and the schema registry's archive. SHA256SUMS holds every
file's sum; serve.mjs checks them all before it serves anything.

Serve it (Node.js 20 or newer, nothing else):

    node serve.mjs                    # this laptop only (a learner with the pack on a stick)
    node serve.mjs --host 0.0.0.0     # the whole room (the instructor's laptop)

It prints the two commands a learner runs in the workshop folder, for example:

    npm install --registry http://127.0.0.1:4330/npm/
    WORKSHOP_MAVEN_MIRROR=http://127.0.0.1:4330/maven/ npm run sandbox:fetch

Then \`npx workshop doctor\` and \`npm start\` as usual. Written by \`npx workshop pack\`.
`;
}
