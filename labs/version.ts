// Comparing the versions the workshop checks before it runs something (Terraform, the Node.js the
// AWS bindings need): the first "major.minor.patch" in a string, so "v22.1.0", "1.11.4" and an
// engines range's lower bound ">= 22.11.0" read alike; missing parts count as 0.

/** [major, minor, patch] of the first version in `text`. */
export function versionParts(text: string): [number, number, number] {
  const [, major = '0', minor = '0', patch = '0'] = /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text) ?? [];
  return [Number(major), Number(minor), Number(patch)];
}

/** Whether `version` is older than `minimum` (a version, or a ">=" range's lower bound). */
export function olderThan(version: string, minimum: string): boolean {
  const have = versionParts(version);
  const need = versionParts(minimum);
  for (let i = 0; i < 3; i++) if (have[i] !== need[i]) return have[i] < need[i];
  return false;
}
