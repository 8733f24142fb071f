// `workshop sandbox up|down|status [--lab N]`: the sandbox's services in the background.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { findLab, labChoices } from '../labs/index.ts';
import { readSandboxState, type SandboxState, sandboxStatePath } from '../sandbox/daemon-state.ts';
import { parseCommandArgs } from './command-args.ts';
import { UsageError } from './errors.ts';

const DAEMON = new URL('../sandbox/daemon.ts', import.meta.url).pathname;
const START_TIMEOUT_MS = 120_000;

function describe(state: SandboxState): string {
  return [
    `Sandbox running (pid ${state.pid}, since ${state.startedAt}).`,
    `  export KAFKA_BROKERS=${state.kafkaBrokers}`,
    `  export SQS_ENDPOINT=${state.sqsEndpoint}`,
    ...(state.lab ? [`  lab ${state.lab} pipeline on topic ${state.topic}`] : []),
    'With these variables set, `workshop run` uses this broker and queue server instead of starting its own.',
  ].join('\n');
}

export async function sandboxCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('sandbox', { args, allowPositionals: true, options: { lab: { type: 'string' } } });
  const action = positionals[0];
  const running = readSandboxState();
  switch (action) {
    case 'status':
      console.log(running ? describe(running) : 'No sandbox is running. Start one with `workshop sandbox up`.');
      return 0;
    case 'down':
      if (!running) {
        console.log('No sandbox is running.');
        return 0;
      }
      process.kill(running.pid, 'SIGTERM');
      for (const deadline = Date.now() + 30_000; readSandboxState() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 200));
      console.log(readSandboxState() ? `The sandbox (pid ${running.pid}) did not stop within 30 s.` : 'Sandbox stopped.');
      return readSandboxState() ? 1 : 0;
    case 'up': {
      if (running) {
        console.log(`Already running; reusing it.\n${describe(running)}`);
        return 0;
      }
      if (values.lab && !findLab(values.lab)) throw new UsageError(`Unknown lab "${values.lab}": use ${labChoices()}.`);
      const log = join(sandboxStatePath(), '..', 'sandbox.log');
      const out = openSync(log, 'a');
      const child = spawn(process.execPath, ['--import', 'tsx', DAEMON], {
        detached: true,
        stdio: ['ignore', out, out],
        env: { ...process.env, ...(values.lab ? { WORKSHOP_SANDBOX_LAB: values.lab } : {}), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      });
      child.unref();
      const deadline = Date.now() + START_TIMEOUT_MS;
      while (Date.now() < deadline) {
        const state = readSandboxState();
        if (state) {
          console.log(describe(state));
          return 0;
        }
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new UsageError(`The sandbox did not start; see ${log} for why.`);
    }
    default:
      throw new UsageError(`workshop sandbox takes up, down or status (got "${action ?? ''}").`);
  }
}
