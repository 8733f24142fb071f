// Runs a short command to its end and keeps what it printed: the npm registry lookups, the venue
// pack's `npm pack`, and the deploy rehearsal's `npm run` steps all need the same thing.
import { spawn } from 'node:child_process';

export interface CommandOutput {
  /** The exit code; null when it was killed or never started. */
  status: number | null;
  stdout: string;
  stderr: string;
  /** Why it could not start (ENOENT, ...). */
  spawnError?: string;
  timedOut: boolean;
  seconds: number;
}

export interface CommandOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Killed (with its whole process group) after this long. */
  timeoutMs?: number;
}

export function commandOutput(command: string, args: string[], options: CommandOptions = {}): Promise<CommandOutput> {
  const started = performance.now();
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let spawnError: string | undefined;
    // Its own process group, so a timeout also stops what it started (npm runs scripts in a shell).
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.timeoutMs !== undefined });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              // already gone
            }
          }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (error) => {
      spawnError = error.message;
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, spawnError, timedOut, seconds: (performance.now() - started) / 1000 });
    });
  });
}
