// The stop and kill9 that the embedded servers (Kafka, ElasticMQ) hand their callers: the same
// rule for both, so a server's data folder is removed exactly when the server owned it.
import { removeDir } from './files.ts';
import type { ManagedProcess } from './process.ts';

/** How an embedded server is stopped: gracefully once (removing a data folder it owns), or killed. */
export interface ServerControls {
  isRunning(): boolean;
  /** SIGTERM, SIGKILL after the grace period; removes a temporary data folder. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL now, keeping the data folder (fault tests). */
  kill9(): Promise<void>;
}

export function serverControls(proc: ManagedProcess, data: { dir: string; owned: boolean; keep?: boolean; graceMs: number }): ServerControls {
  let stopped: Promise<void> | null = null;
  return {
    isRunning: () => proc.isRunning(),
    stop() {
      stopped ??= (async () => {
        await proc.stop(data.graceMs);
        if (data.owned && !data.keep) removeDir(data.dir);
      })();
      return stopped;
    },
    kill9: async () => {
      await proc.kill9();
    },
  };
}
