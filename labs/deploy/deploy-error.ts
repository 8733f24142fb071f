// A file of its own so that every part of the deploy (arguments, record, Terraform, AWS checks)
// throws the same class without importing the others; cli.ts turns it into one line and the
// exit code of its category (labs/workshop-error.ts).
import { type ErrorCategory, WorkshopError } from '../workshop-error.ts';

/**
 * What `deploy` and `destroy` print and exit with when they cannot go on: bad input (an argument,
 * the record file) or, by default, the environment (Terraform, AWS, the deployed mapping).
 */
export class DeployError extends WorkshopError {
  override name = 'DeployError';
  constructor(message: string, category: Exclude<ErrorCategory, 'unexpected'> = 'environment') {
    super(message, { category });
  }
}
