// The AWS path's toolchain (CDK Terrain and its AWS provider bindings) is not part of the local
// labs' install: `npm install` leaves it out (its 47 MB download, README's install table), and the AWS
// path's first step installs it into modules/node_modules from modules/package.json and its lock.
// Every AWS command checks it here first, so a learner who skipped that step reads one line
// naming the command instead of a module-resolution stack trace.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './stack-contract.ts';
import { olderThan } from './version.ts';

/** The one command that installs the toolchain (package.json's `aws:setup`). */
export const AWS_SETUP_COMMAND = 'npm run aws:setup';

/** Where `npm run aws:setup` installs it. */
export const AWS_TOOLCHAIN_DIR = join(REPO_ROOT, 'modules', 'node_modules');

interface PackageJson {
  version?: string;
  dependencies?: Record<string, string>;
  engines?: { node?: string };
}

function readPackage(path: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

/** The versions modules/package.json pins: what the stacks were written and tested against. */
const TOOLCHAIN_PINS: Record<string, string> = readPackage(join(REPO_ROOT, 'modules', 'package.json'))?.dependencies ?? {};

export interface AwsToolchain {
  /** Each package modules/package.json names, with the version installed. */
  packages: { name: string; version: string }[];
}

/**
 * What is installed, or the one line that says what is missing and the command that fixes it.
 * `nodeVersion` is the Node.js that will run the stacks: the provider bindings state the oldest
 * they support in their `engines`.
 */
export function findAwsToolchain(nodeModules = AWS_TOOLCHAIN_DIR, nodeVersion = process.versions.node): AwsToolchain | { problem: string } {
  const packages: AwsToolchain['packages'] = [];
  for (const [name, version] of Object.entries(TOOLCHAIN_PINS)) {
    const installed = readPackage(join(nodeModules, name, 'package.json'));
    if (!installed) {
      return {
        problem: `The AWS path's toolchain (CDK Terrain and the AWS provider bindings) is not installed: run ${AWS_SETUP_COMMAND} (once).`,
      };
    }
    if (installed.version !== version) {
      return { problem: `modules/node_modules has ${name} ${installed.version}, but modules/package.json pins ${version}: run ${AWS_SETUP_COMMAND} again.` };
    }
    const engine = installed.engines?.node;
    if (engine && olderThan(nodeVersion, engine)) {
      return {
        problem: `${name} needs Node.js ${engine.replace(/\s+/g, '')}, and this is Node.js ${nodeVersion}: run the AWS commands through npm (npm run deploy -- <lab>), which uses the project's Node.js in node_modules/.bin/node, or run npm install if that is missing.`,
      };
    }
    packages.push({ name, version });
  }
  return { packages };
}
