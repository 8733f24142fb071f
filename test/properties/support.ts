// Shared helpers for the property-based tests (fast-check). Every property runs 1,000 cases:
// each file passes `numRuns: 1000` explicitly to fc.assert. A failure prints fast-check's seed
// and path; replay it with FC_SEED=<seed> FC_PATH=<path> npx tsx test/properties/<file>.
import fc from 'fast-check';

/** Replays a reported failure when FC_SEED (and optionally FC_PATH) are set; empty otherwise. */
export const REPLAY: { seed?: number; path?: string } = {
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
  ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
};

/** The error's class name, or "a <typeof>" for a thrown non-Error, for assertion messages. */
export function errorKind(error: unknown): string {
  if (error instanceof Error) return `${error.constructor.name}: ${error.message.slice(0, 300)}`;
  return `a thrown ${typeof error}: ${String(error).slice(0, 100)}`;
}

/** Calls fn; returns its result or the error it threw (never rethrows). */
export function outcomeOf<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** True when a string holds a UTF-16 surrogate that is not part of a pair. */
export function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/** Strings over all of Unicode, plus lone surrogates and a few characters parsers trip on. */
export const anyString = (maxLength = 40): fc.Arbitrary<string> =>
  fc.string({
    maxLength,
    unit: fc.oneof(
      { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
      { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
      { weight: 1, arbitrary: fc.constantFrom('\uD800', '\uDFFF', '\u0000', '\uFEFF', '\u202E', '"', '\\', '{', '[', '\n', ' ') },
    ),
  });

/** A ~7 MB zero-filled buffer: records take views of it, so large payloads cost no copying. */
export const BIG = Buffer.alloc(7 * 1024 * 1024, 0x61);
