// When on-demand Kafka pollers scale. AWS: "If the offset lag is too high, the partition is
// receiving messages faster than Lambda can process them. If necessary, Lambda adds or removes
// event pollers" (kafka-scaling-modes.html). What "too high" and "too low" mean is not
// documented; the rule here is the workshop's own, shared by the sandbox (sandbox/kafka-esm/poller-scaling.ts)
// and the capacity model (capacity-model.ts), so the model predicts what the sandbox does.
/** The pollers a lag asks for: one per full batch of lag, at most one per partition. */
export function pollersForLag(offsetLag: number, batchSize: number, partitions: number): number {
  return Math.min(partitions, Math.max(1, Math.ceil(offsetLag / batchSize)));
}

/** Too high: more than a full batch waits per poller (a batch filling its window is normal). */
export function lagTooHigh(offsetLag: number, pollers: number, batchSize: number): boolean {
  return offsetLag > pollers * batchSize;
}

/** Low: with one poller fewer, less than half a batch would wait per poller. */
export function lagLow(offsetLag: number, pollers: number, batchSize: number): boolean {
  return pollers > 1 && offsetLag <= ((pollers - 1) * batchSize) / 2;
}
