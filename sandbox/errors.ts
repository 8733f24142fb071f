// The sandbox's error for what a person must fix on their machine (Java missing, a port taken,
// a server that would not start): one sentence with the cause and the fix, and the supporting
// detail (a server log's tail) apart. It is an environment error (labs/workshop-error.ts).
import { WorkshopError } from '../labs/workshop-error.ts';

/**
 * An error a person reads: `message` is one sentence naming the cause and the fix (a CLI prints
 * it without a stack). `detail` holds supporting text such as the tail of a server log.
 */
export class SandboxError extends WorkshopError {
  override name = 'SandboxError';
  readonly summary: string;
  readonly detail?: string;
  /** `transient`: a broker error that usually passes by itself outlasted its retries. */
  constructor(summary: string, options: { detail?: string; cause?: unknown; transient?: boolean } = {}) {
    const detail = options.detail?.trimEnd();
    super(detail ? `${summary}\n${detail}` : summary, { category: 'environment', cause: options.cause, transient: options.transient });
    this.summary = summary;
    if (detail) this.detail = detail;
  }
}
