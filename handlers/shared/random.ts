// Seeded randomness for the traffic schedule. Every draw for event `seq` comes from its own
// generator seeded by (seed, seq), so an event looks the same whether one producer sends the
// whole schedule or a shard of it: sharding must never change what is sent.

/** mulberry32: a tiny, fast 32-bit PRNG; plenty for traffic mixes, not for cryptography. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes two integers into a well-spread 32-bit seed (murmur3 finalizer). */
export function mixSeed(a: number, b: number): number {
  let h = (Math.imul(a | 0, 0x9e3779b1) ^ (b | 0)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The generator for one event of a seeded schedule. */
export function rngForEvent(seed: number, seq: number): () => number {
  // seq can exceed 2^32 only in absurd schedules; fold the high part in rather than drop it.
  const high = Math.floor(seq / 4294967296);
  return mulberry32(mixSeed(mixSeed(seed, high), seq >>> 0));
}

/** Picks a key with probability proportional to its weight. */
export function pickWeighted<K extends string>(weights: Record<K, number>, draw: number): K {
  const entries = Object.entries(weights) as [K, number][];
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let threshold = draw * total;
  for (const [key, weight] of entries) {
    if (threshold < weight) return key;
    threshold -= weight;
  }
  // Floating-point leftovers land on the last key with a positive weight.
  const positive = entries.filter(([, w]) => w > 0);
  return positive[positive.length - 1][0];
}
