// Event Poller Units (EPUs), the unit provisioned mode is billed in, from a mapping's (or a poller
// group's) pollers and the bytes they read. AWS: "Each EPU supports up to 20 MB/s throughput
// capacity for event polling and supports a default of 10 event pollers. [...] each event poller
// can independently scale to support up to 5 MB/s of throughput capacity, which may require lower
// density of event pollers on a specific EPU and can trigger scaling of EPUs. The number of event
// pollers allocated on an EPU depends on the compute capacity consumed by each event poller"
// (https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html#kafka-enhanced-epu-utilization).
// AWS gives no formula; the workshop's reading is that an EPU is full at either limit, so the
// EPUs are whichever of the two needs more: ceil(pollers ÷ 10) or ceil(bytes/s ÷ 20 MB/s).
import { EVENT_POLLER_UNIT_BYTES_PER_SEC, POLLERS_PER_EVENT_POLLER_UNIT } from './aws-limits.ts';

/** What occupies EPUs: pollers, and the bytes a second they read. */
export interface PollerLoad {
  pollers: number;
  bytesPerSec: number;
}

/** The EPUs a load needs: packed 10 pollers to an EPU, or fewer when they read more than 20 MB/s. */
export function eventPollerUnits(load: PollerLoad): number {
  return Math.max(Math.ceil(load.pollers / POLLERS_PER_EVENT_POLLER_UNIT), Math.ceil(load.bytesPerSec / EVENT_POLLER_UNIT_BYTES_PER_SEC));
}

/** Which limit decides the EPUs, in the load's own numbers, e.g. "2 pollers ÷ 10 per EPU". */
export function eventPollerUnitsBound(load: PollerLoad): string {
  const byPollers = Math.ceil(load.pollers / POLLERS_PER_EVENT_POLLER_UNIT);
  const mb = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 100) / 100} MB/s`;
  if (eventPollerUnits(load) > byPollers) return `${mb(load.bytesPerSec)} read ÷ ${mb(EVENT_POLLER_UNIT_BYTES_PER_SEC)} per EPU`;
  return `${load.pollers} poller${load.pollers === 1 ? '' : 's'} ÷ ${POLLERS_PER_EVENT_POLLER_UNIT} per EPU; the ${mb(load.bytesPerSec)} read needs no more at ${mb(EVENT_POLLER_UNIT_BYTES_PER_SEC)} per EPU`;
}

/** A poller group's load: its mappings' pollers and throughput together, since they share EPUs. */
export function combinedLoad(loads: Iterable<PollerLoad>): PollerLoad {
  let pollers = 0;
  let bytesPerSec = 0;
  for (const load of loads) {
    pollers += load.pollers;
    bytesPerSec += load.bytesPerSec;
  }
  return { pollers, bytesPerSec };
}
