// Where `workshop sandbox up` records what it started, so `status`, `down` and a second `up`
// find it.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from './jars.ts';

export interface SandboxState {
  pid: number;
  startedAt: string;
  kafkaBrokers: string;
  sqsEndpoint: string;
  kafkaVersion?: string;
  lab?: string;
  topic?: string;
  queues?: unknown;
}

/** WORKSHOP_SANDBOX_STATE_DIR keeps a test's background sandbox apart from a participant's. */
export function sandboxStatePath(): string {
  const root = process.env.WORKSHOP_SANDBOX_STATE_DIR ?? cacheRoot();
  mkdirSync(root, { recursive: true });
  return join(root, 'sandbox.json');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The running sandbox, if any; a state file left by a dead process is removed. */
export function readSandboxState(): SandboxState | undefined {
  const path = sandboxStatePath();
  if (!existsSync(path)) return undefined;
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as SandboxState;
    if (alive(state.pid)) return state;
  } catch {
    // unreadable: treat as absent
  }
  rmSync(path, { force: true });
  return undefined;
}
