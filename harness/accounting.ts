// Exact accounting by (runId, seq): every published event must end processed, filtered or
// dead-lettered. Events the mapping dropped (DroppedEventCount: no destination, or delivery to it
// failed) are a category of their own, never processed. Lost and duplicated events are counted
// from the seqs, never assumed.
import type { EventCounts } from './run-result.ts';

export interface AccountingInput {
  /** The seqs that reached the topic (from the ledger, or the producer's result). */
  published: readonly number[];
  /** One entry per processing: a seq processed twice appears twice. */
  processed: readonly number[];
  filtered: readonly number[];
  deadLettered: readonly number[];
  /** Seqs the mapping dropped, when the place can tell which (the sandbox can; AWS reports only a count). */
  dropped?: readonly number[];
  /** Seqs still behind the committed offset of their partition at the end (not yet handled). */
  waiting?: readonly number[];
}

/** `duplicated`: events handled more than once (processed twice, or processed and dead-lettered). */
export interface Accounting extends EventCounts {
  /** Up to 20 of each, to show in a failure message. */
  lostSeqs: number[];
  duplicatedSeqs: number[];
  /** Seqs that were reported but never published: a sign of a mixed-up run. */
  unknownSeqs: number[];
}

export function account(input: AccountingInput): Accounting {
  const published = new Set(input.published);
  const outcomes = new Map<number, number>();
  const note = (seq: number) => outcomes.set(seq, (outcomes.get(seq) ?? 0) + 1);
  for (const seq of input.processed) note(seq);
  for (const seq of new Set(input.filtered)) note(seq);
  for (const seq of new Set(input.deadLettered)) note(seq);
  for (const seq of new Set(input.dropped ?? [])) note(seq);

  const waiting = new Set(input.waiting ?? []);
  const unaccounted = [...published].filter((seq) => !outcomes.has(seq));
  const lost = unaccounted.filter((seq) => !waiting.has(seq));
  const duplicated = [...outcomes.entries()].filter(([seq, n]) => n > 1 && published.has(seq)).map(([seq]) => seq);
  const unknown = [...outcomes.keys()].filter((seq) => !published.has(seq));
  const processedUnique = new Set(input.processed.filter((seq) => published.has(seq)));
  return {
    published: published.size,
    processed: processedUnique.size,
    filtered: new Set(input.filtered.filter((seq) => published.has(seq))).size,
    deadLettered: new Set(input.deadLettered.filter((seq) => published.has(seq))).size,
    dropped: new Set((input.dropped ?? []).filter((seq) => published.has(seq))).size,
    waiting: unaccounted.length - lost.length,
    lost: lost.length,
    duplicated: duplicated.length,
    lostSeqs: lost.slice(0, 20),
    duplicatedSeqs: duplicated.slice(0, 20),
    unknownSeqs: unknown.slice(0, 20),
  };
}
