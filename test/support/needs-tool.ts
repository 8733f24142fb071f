// One rule for the tests that need a tool a learner's laptop may lack (Terraform and its provider
// mirror, moto, cfn-lint, an older Node.js): where it is missing they skip with one `[skipped]`
// line naming what to install; CI installs every one, so there the same absence is a failing test.
import type { Test } from 'uvu';

/** True when `found` is the tool; otherwise registers the skip (or, in CI, the failure) and returns false. */
export function needsTool<T extends object>(test: Test, found: T | { missing: string }, tool: string): found is T {
  if (!('missing' in found)) return true;
  if (process.env.CI) {
    test(`${tool} is installed (CI requires it)`, () => {
      throw new Error(found.missing);
    });
  } else {
    console.log(`[skipped] ${found.missing}`);
    test.skip(`needs ${tool}: ${found.missing}`, () => {});
  }
  return false;
}
