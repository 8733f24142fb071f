// Bundles a handler into the single file Lambda runs. The CDKTF function construct deploys this
// file and the local Lambda runtime loads the very same file, so what is tested locally is the
// artifact that ships. Output: .build/handlers/<name>/index.mjs (ESM, node22).
//
// Everything is bundled, the AWS SDK included; the bundle imports nothing but Node.js built-ins.
// AWS documents only that each Node.js runtime includes "a specific minor version" of SDK v3, not
// which packages (lambda/latest/dg/lambda-nodejs.html#nodejs-sdk-included), and runtimes have
// lacked some the SDK's own clients load (aws/aws-sdk-js-v3#6169, aws/aws-cdk#33099). The MSK
// IAM signer needs SDK packages at versions of its own (credential-providers, client-sts,
// util-format-url), and mixing runtime and bundled SDK packages is what the SDK's maintainers warn
// against (aws/aws-sdk-js-v3#5594). AWS recommends bundling the SDK to control its version
// (lambda/latest/dg/nodejs-package.html). The build refuses any other import.
// A build is skipped when the recorded inputs (every bundled file, by content hash) and options
// are unchanged and the output is intact; the record sits next to, not inside, the artifact dir.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, buildSync, version as esbuildVersion, type Metafile } from 'esbuild';

export const HANDLER_NAMES = ['producer', 'booking-processor', 'sqs-forwarder', 'sqs-processor', 'topic-admin'] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

export interface BundleResult {
  name: HandlerName;
  /** Folder holding only the artifact: zip this. */
  dir: string;
  /** The bundle; Lambda handler setting: "index.handler". */
  file: string;
  /** SHA-256 (hex) of the bundle's content. */
  sha256: string;
  /** False when an up-to-date bundle was reused. */
  rebuilt: boolean;
}

export interface BundleOptions {
  /** Defaults to <repo>/.build/handlers. */
  outRoot?: string;
  /** Rebuild even when the inputs are unchanged. */
  force?: boolean;
  /**
   * The source to bundle in place of handlers/<name>.ts: a learner's exercise. Give it its own
   * outRoot, so the workshop's own bundle is never replaced by a learner's.
   */
  entry?: string;
}

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

/** Where bundles of a learner's handler sources go (BundleOptions.entry), apart from the workshop's own. */
export const LEARNER_BUNDLES = join(REPO_ROOT, '.build', 'learner-handlers');

// Kafka and other CommonJS dependencies call require() for Node built-ins; an ESM bundle has no
// require of its own, so give it one.
const REQUIRE_BANNER = "import { createRequire as __bundleCreateRequire } from 'node:module';\n" + 'const require = __bundleCreateRequire(import.meta.url);';

interface Paths {
  entry: string;
  dir: string;
  file: string;
  record: string;
}

interface BuildRecord {
  options: string;
  output: string;
  inputs: Record<string, string>;
}

function pathsFor(name: HandlerName, options: BundleOptions): Paths {
  if (!HANDLER_NAMES.includes(name)) {
    throw new Error(`Unknown handler ${JSON.stringify(name)}: use one of ${HANDLER_NAMES.join(', ')}.`);
  }
  const outRoot = resolve(options.outRoot ?? join(REPO_ROOT, '.build', 'handlers'));
  const dir = join(outRoot, name);
  return {
    entry: options.entry ? resolve(options.entry) : join(REPO_ROOT, 'handlers', `${name}.ts`),
    dir,
    file: join(dir, 'index.mjs'),
    record: join(outRoot, `${name}.inputs.json`),
  };
}

function esbuildOptions(paths: Paths): BuildOptions & { metafile: true } {
  return lambdaBuildOptions(paths.entry, paths.file);
}

/** The esbuild options of every Lambda bundle: one ESM file for node22 that imports only built-ins. */
export function lambdaBuildOptions(entry: string, outfile: string): BuildOptions & { metafile: true } {
  return {
    entryPoints: [entry],
    outfile,
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    banner: { js: REQUIRE_BANNER },
    // Readable stack traces in CloudWatch matter more than a smaller file.
    minify: false,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
  };
}

function optionsSignature(paths: Paths): string {
  const { entryPoints, outfile, banner, external, target, format } = esbuildOptions(paths);
  return sha256(JSON.stringify({ esbuildVersion, entryPoints, outfile, banner, external: external ?? [], target, format }));
}

const BUILTINS = new Set(builtinModules);

/** What a bundle imports at run time that is not a Node.js built-in (esbuild's metafile). */
export function nonBuiltinImports(metafile: Metafile): string[] {
  const imports = Object.values(metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path));
  return [...new Set(imports.filter((path) => !path.startsWith('node:') && !BUILTINS.has(path)))].sort();
}

function assertSelfContained(name: HandlerName, metafile: Metafile): void {
  const missing = nonBuiltinImports(metafile);
  if (missing.length > 0) {
    throw new Error(
      `The ${name} bundle would import ${missing.join(', ')} at run time, which the Lambda runtime may not have: bundle it (handlers/bundle.ts).`,
    );
  }
}

function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

function fileHash(path: string): string | undefined {
  try {
    return createHash('sha1').update(readFileSync(path)).digest('hex');
  } catch {
    return undefined;
  }
}

/** The existing bundle's hash when nothing it was built from has changed. */
function upToDate(paths: Paths): string | undefined {
  if (!existsSync(paths.record) || !existsSync(paths.file)) return undefined;
  try {
    const record = JSON.parse(readFileSync(paths.record, 'utf8')) as BuildRecord;
    if (record.options !== optionsSignature(paths)) return undefined;
    const output = sha256(readFileSync(paths.file));
    if (output !== record.output) return undefined;
    for (const [input, hash] of Object.entries(record.inputs)) {
      if (fileHash(join(REPO_ROOT, input)) !== hash) return undefined;
    }
    return output;
  } catch {
    return undefined;
  }
}

function remember(paths: Paths, metafile: Metafile): string {
  const output = sha256(readFileSync(paths.file));
  const inputs: Record<string, string> = {};
  for (const input of Object.keys(metafile.inputs)) {
    const hash = fileHash(join(REPO_ROOT, input));
    if (hash) inputs[input] = hash;
  }
  const record: BuildRecord = { options: optionsSignature(paths), output, inputs };
  writeFileSync(paths.record, JSON.stringify(record));
  return output;
}

export async function bundleHandler(name: HandlerName, options: BundleOptions = {}): Promise<BundleResult> {
  const paths = pathsFor(name, options);
  const existing = options.force ? undefined : upToDate(paths);
  if (existing) return { name, dir: paths.dir, file: paths.file, sha256: existing, rebuilt: false };
  mkdirSync(paths.dir, { recursive: true });
  const result = await build(esbuildOptions(paths));
  assertSelfContained(name, result.metafile);
  return { name, dir: paths.dir, file: paths.file, sha256: remember(paths, result.metafile), rebuilt: true };
}

/** Same as bundleHandler, for callers that cannot await (cdktf synth is synchronous). */
export function bundleHandlerSync(name: HandlerName, options: BundleOptions = {}): BundleResult {
  const paths = pathsFor(name, options);
  const existing = options.force ? undefined : upToDate(paths);
  if (existing) return { name, dir: paths.dir, file: paths.file, sha256: existing, rebuilt: false };
  mkdirSync(paths.dir, { recursive: true });
  const result = buildSync(esbuildOptions(paths));
  assertSelfContained(name, result.metafile);
  return { name, dir: paths.dir, file: paths.file, sha256: remember(paths, result.metafile), rebuilt: true };
}

export async function bundleAllHandlers(options: BundleOptions = {}): Promise<BundleResult[]> {
  return Promise.all(HANDLER_NAMES.map((name) => bundleHandler(name, options)));
}
