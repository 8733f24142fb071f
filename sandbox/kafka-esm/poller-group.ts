// Poller groups (ProvisionedPollerConfig.PollerGroupName): mappings in one group share Event
// Poller Units instead of each holding its own. A group takes at most 100 mappings whose maximum
// pollers add up to at most 2,000; AWS refuses the mapping that would break either limit. A
// group's EPUs come from its mappings' pollers and throughput together, so a group of 10
// one-poller mappings reading little needs 1 EPU, not 10 (kafka-scaling-modes.html,
// API_ProvisionedPollerConfig.html; the EPU rule is ../../labs/event-poller-units.ts).
import { MAX_MAPPINGS_PER_POLLER_GROUP, MAX_POLLERS_PER_POLLER_GROUP } from '../../labs/aws-limits.ts';
import { combinedLoad, eventPollerUnits, type PollerLoad } from '../../labs/event-poller-units.ts';
import { WorkshopError } from '../../labs/workshop-error.ts';

/** Mappings that break a poller group's limits: a configuration to change. */
export class PollerGroupError extends WorkshopError {
  constructor(message: string) {
    super(message, { category: 'badInput' });
    this.name = 'PollerGroupError';
  }
}

interface Member {
  maximumPollers: number;
  load: () => PollerLoad;
}

/** The groups of one account and VPC: here, of one sandbox process. */
export class PollerGroups {
  private readonly groups = new Map<string, Map<string, Member>>();

  /**
   * Adds a mapping, or throws what CreateEventSourceMapping would refuse. `load` is the mapping's
   * pollers now and the bytes a second they read lately.
   */
  join(group: string, uuid: string, maximumPollers: number, load: () => PollerLoad): void {
    const members = this.groups.get(group) ?? new Map<string, Member>();
    if (members.size + 1 > MAX_MAPPINGS_PER_POLLER_GROUP) {
      throw new PollerGroupError(
        `poller group ${group} already holds ${members.size} mappings: a group holds at most ${MAX_MAPPINGS_PER_POLLER_GROUP}; use another pollerGroupName.`,
      );
    }
    const total = [...members.values()].reduce((sum, m) => sum + m.maximumPollers, 0) + maximumPollers;
    if (total > MAX_POLLERS_PER_POLLER_GROUP) {
      throw new PollerGroupError(
        `poller group ${group}: its mappings' maximum pollers would add up to ${total}; a group allows at most ${MAX_POLLERS_PER_POLLER_GROUP}. Lower kafkaEsm.provisionedPollers.maximum or use another pollerGroupName.`,
      );
    }
    members.set(uuid, { maximumPollers, load });
    this.groups.set(group, members);
  }

  leave(group: string, uuid: string): void {
    const members = this.groups.get(group);
    members?.delete(uuid);
    if (members?.size === 0) this.groups.delete(group);
  }

  mappings(group: string): number {
    return this.groups.get(group)?.size ?? 0;
  }

  /** The EPUs the group runs now: its mappings' pollers and throughput, packed together. */
  eventPollerUnits(group: string): number {
    return eventPollerUnits(combinedLoad([...(this.groups.get(group)?.values() ?? [])].map((m) => m.load())));
  }
}

/** The sandbox process's groups, shared by every mapping it starts. */
export const sandboxPollerGroups = new PollerGroups();
