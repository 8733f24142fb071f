// A participant's check summary as the room board receives it: lab 2, failing its p50.
import type { RoomReport } from '../../../harness/room/room-report.ts';

export const roomReportOf = (name: string, over: Partial<RoomReport> = {}): RoomReport => ({
  name,
  lab: '02-low-latency',
  passed: false,
  failing: [{ name: 'p50', measured: 'p50 616 ms (target ≤ 250 ms)' }],
  checks: 1,
  hintsUsed: 0,
  ...over,
});
