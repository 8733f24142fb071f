// The harness's own error: input a person gave (a lab name, a --set, a missing deployment). The
// CLI prints its message alone and exits with the bad-input code (labs/workshop-error.ts).
// Errors of the sandbox are in sandbox/errors.ts.
import { WorkshopError } from '../labs/workshop-error.ts';

/** Bad input or a missing prerequisite: the CLI prints the message alone. */
export class UsageError extends WorkshopError {
  constructor(message: string) {
    super(message, { category: 'badInput' });
    this.name = 'UsageError';
  }
}
