// The sandbox's error for what a person must fix on their machine (Java missing, a port taken,
// a server that would not start): one sentence with the cause and the fix, and the supporting
// detail (a server log's tail) apart. harness/exit-codes.ts maps it to exit 3.

/**
 * An error a person reads: `message` is one sentence naming the cause and the fix (a CLI prints
 * it without a stack). `detail` holds supporting text such as the tail of a server log.
 */
export class SandboxError extends Error {
  override name = 'SandboxError';
  readonly summary: string;
  readonly detail?: string;
  constructor(summary: string, options: { detail?: string; cause?: unknown } = {}) {
    const detail = options.detail?.trimEnd();
    super(detail ? `${summary}\n${detail}` : summary, options.cause === undefined ? undefined : { cause: options.cause });
    this.summary = summary;
    if (detail) this.detail = detail;
  }
}
