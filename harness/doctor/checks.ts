// What `workshop doctor` looks at, each check a small function of an injected machine, so the
// tests can take each prerequisite away in turn. A check starts nothing and reaches no network:
// it reads versions, files, free space and whether a local port can be bound.
import type { AwsToolchain } from '../../labs/aws-toolchain.ts';
import { installHint, type Platform } from '../../sandbox/install-hints.ts';

export interface Machine {
  platform: Platform;
  env: NodeJS.ProcessEnv;
  /** The running Node.js, as process.version gives it. */
  nodeVersion: string;
  /** The project's package.json `engines.node` (">=20"). */
  nodeEngine: string;
  /** `--version` of node_modules/.bin/node (the npm registry's `node` package the scripts run on), or undefined when absent. */
  scriptsNodeVersion(): string | undefined;
  /** The Node.js major the scripts need (the `node` package's version in package.json). */
  scriptsNodeMajor: number;
  /** Whether node_modules/node's binary is the build harness/node-binary/pins.ts pins for this system. */
  scriptsNodeBinary(): Promise<{ summary: string } | { problem: string }>;
  /** Java as the sandbox will find it, or the sandbox's own sentence on why not. */
  java(): { version: string; path: string } | { problem: string };
  /** The sandbox's jars: what is cached, or what is missing or corrupt. */
  jars(): Promise<{ summary: string } | { problem: string }>;
  /** Free bytes where the cache and the servers' data go, and that folder. */
  freeSpace(): { bytes: number; dir: string };
  /** Whether a server may listen on 127.0.0.1 (port 0: any free one). */
  canListen(port: number): Promise<boolean>;
  dashboardPort: number;
  /** The AWS path's toolchain in modules/node_modules, checked against the Node.js the npm scripts run on. */
  awsToolchain(): AwsToolchain | { problem: string };
  /** An executable on PATH (or the path given), or undefined. */
  which(name: string): string | undefined;
  /** Whether a file exists (for AWS's shared config files). */
  exists(path: string): boolean;
  home: string;
}

export interface Finding {
  /** What was looked at: "Java", "ports". */
  what: string;
  ok: boolean;
  /** The local labs need it; optional findings never change the exit code. */
  required: boolean;
  /** One line: what was found, or what is wrong and how to fix it on this system. */
  line: string;
}

/**
 * Free space below which a run may fill the disk: the jar cache (about 600 MB with the schema
 * registry's archive, its unpacked copy and the class-data archives), Kafka's log of a run and the reports.
 */
export const MIN_FREE_BYTES = 1024 ** 3;

type Check = (m: Machine) => Finding | Promise<Finding>;

const ok = (what: string, line: string, required = true): Finding => ({ what, ok: true, required, line });
const problem = (what: string, line: string, required = true): Finding => ({ what, ok: false, required, line });

function major(version: string): number {
  return Number(/(\d+)/.exec(version)?.[1] ?? 0);
}

export const checkNode: Check = (m) => {
  const needed = major(m.nodeEngine);
  if (major(m.nodeVersion) < needed) {
    return problem('Node.js', `Node.js ${m.nodeVersion} is older than the ${m.nodeEngine} the workshop needs: ${installHint('node', m.platform)}.`);
  }
  const scripts = m.scriptsNodeVersion();
  if (!scripts) {
    return problem(
      'Node.js',
      `Node.js ${m.nodeVersion} runs the workshop, but node_modules/.bin/node (Node.js ${m.scriptsNodeMajor}, which the npm scripts run on) is missing: run npm install.`,
    );
  }
  if (major(scripts) !== m.scriptsNodeMajor) {
    return problem('Node.js', `node_modules/.bin/node is ${scripts}, not the Node.js ${m.scriptsNodeMajor} the scripts run on: run npm install again.`);
  }
  return ok('Node.js', `Node.js ${m.nodeVersion} runs the workshop; the npm scripts run on Node.js ${scripts} (node_modules/.bin/node)`);
};

export const checkNodeBinary: Check = async (m) => {
  const binary = await m.scriptsNodeBinary();
  return 'problem' in binary ? problem('Node.js binary', binary.problem) : ok('Node.js binary', binary.summary);
};

export const checkJava: Check = (m) => {
  const java = m.java();
  if ('problem' in java) return problem('Java', java.problem);
  const home = m.env.JAVA_HOME ? `, JAVA_HOME=${m.env.JAVA_HOME}` : '';
  return ok('Java', `Java ${java.version} (${java.path}${home})`);
};

export const checkJars: Check = async (m) => {
  const jars = await m.jars();
  return 'problem' in jars ? problem('jars', jars.problem) : ok('jars', jars.summary);
};

export const checkPorts: Check = async (m) => {
  if (!(await m.canListen(0))) {
    return problem(
      'ports',
      'No server can listen on 127.0.0.1 (a firewall or sandboxing refuses it): Kafka and ElasticMQ need local ports; allow them, or use the dev container.',
    );
  }
  if (!(await m.canListen(m.dashboardPort))) {
    return ok('ports', `127.0.0.1 accepts servers; the dashboard's port ${m.dashboardPort} is taken, so give it another: --port N`);
  }
  return ok('ports', `127.0.0.1 accepts servers; the dashboard's port ${m.dashboardPort} is free`);
};

export const checkDisk: Check = (m) => {
  const { bytes, dir } = m.freeSpace();
  const gib = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes < MIN_FREE_BYTES)
    return problem(
      'disk',
      `${gib(bytes)} free in ${dir}, less than the ${gib(MIN_FREE_BYTES)} a run may need: free some space or set WORKSHOP_CACHE to a folder on a larger disk.`,
    );
  return ok('disk', `${gib(bytes)} free in ${dir}`);
};

export const checkChromium: Check = (m) => {
  const given = m.env.CHROME_PATH;
  if (given) {
    return m.which(given)
      ? ok('Chromium', `Chromium: CHROME_PATH=${given} (browser tests)`, false)
      : problem(
          'Chromium',
          `CHROME_PATH=${given} is not an executable file (browser tests only): point it at a Chrome or Chromium binary, or unset it.`,
          false,
        );
  }
  const found = CHROMIUM_NAMES.map((name) => m.which(name)).find(Boolean);
  return found
    ? ok('Chromium', `Chromium ${found} (browser tests)`, false)
    : problem('Chromium', `No Chromium (needed only by npm test's browser tests): ${installHint('chromium', m.platform)}.`, false);
};

export const checkTerraform: Check = (m) => {
  const found = ['terraform', 'tofu'].map((name) => m.which(name)).find(Boolean);
  return found
    ? ok('Terraform', `${found} (the AWS path)`, false)
    : problem('Terraform', `Neither terraform nor tofu is on PATH (needed only for the AWS path): ${installHint('terraform', m.platform)}.`, false);
};

export const checkAwsToolchain: Check = (m) => {
  const toolchain = m.awsToolchain();
  if ('problem' in toolchain) return problem('AWS toolchain', toolchain.problem.replace(/: run /, ' (needed only for the AWS path): run '), false);
  return ok('AWS toolchain', `${toolchain.packages.map((p) => `${p.name} ${p.version}`).join(', ')} in modules/node_modules (the AWS path)`, false);
};

export const checkAwsCredentials: Check = (m) => {
  const fromEnv = m.env.AWS_ACCESS_KEY_ID ? 'AWS_ACCESS_KEY_ID' : m.env.AWS_PROFILE ? `AWS_PROFILE=${m.env.AWS_PROFILE}` : undefined;
  const files = [m.env.AWS_SHARED_CREDENTIALS_FILE ?? `${m.home}/.aws/credentials`, m.env.AWS_CONFIG_FILE ?? `${m.home}/.aws/config`].filter((f) =>
    m.exists(f),
  );
  const source = fromEnv ?? files[0];
  return source
    ? ok('AWS credentials', `AWS credentials from ${source} (the AWS path; not checked against AWS here)`, false)
    : problem('AWS credentials', 'No AWS credentials (needed only for the AWS path): run aws configure or aws sso login, or set AWS_PROFILE.', false);
};

/** The executables a browser test may use, in the order they are tried. */
export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'] as const;

export const REQUIRED_CHECKS: readonly Check[] = [checkNode, checkNodeBinary, checkJava, checkJars, checkPorts, checkDisk];
export const OPTIONAL_CHECKS: readonly Check[] = [checkChromium, checkAwsToolchain, checkTerraform, checkAwsCredentials];

export async function runChecks(m: Machine): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const check of [...REQUIRED_CHECKS, ...OPTIONAL_CHECKS]) findings.push(await check(m));
  return findings;
}
