// The harness's own error: input a person gave (a lab name, a --set, a missing deployment). The
// CLI prints its message alone and exits 2 (harness/exit-codes.ts, which also maps the sandbox's
// SandboxError and LabSpecError). Errors of the sandbox are in sandbox/errors.ts.

/** Bad input or a missing prerequisite: the CLI prints the message alone and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
