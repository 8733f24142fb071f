// A file of its own so that every part of the deploy (arguments, record, Terraform, AWS checks)
// throws the same class without importing the others; cli.ts turns it into one line and exit 1.

/** What `deploy` and `destroy` print and exit with when they cannot go on. */
export class DeployError extends Error {
  override name = 'DeployError';
}
