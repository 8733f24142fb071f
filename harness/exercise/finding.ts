// One line of a checkpoint: something `workshop check` looked at, and what it found.
export interface Finding {
  /** Names the hint for it too (checkpoints.ts). */
  name: string;
  pass: boolean;
  /** What was measured or seen, e.g. "p50 482 ms (target ≤ 100 ms)". */
  measured?: string;
  /** For a failure that is the learner's to read in full (a compile error, an AWS limit). */
  detail?: string;
}
