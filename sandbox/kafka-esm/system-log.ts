// The mapping's own log lines (LoggingConfig.SystemLogLevel): written to its own stream in the
// function's log group, only at the configured level and above, in the record shape AWS shows
// (labs/esm-system-log.ts). Pure: the caller gives the clock and where a line goes.
import {
  ESM_LOG_EVENT_LEVEL,
  type EsmLogEventType,
  type EsmLogRecord,
  esmLogStreamName,
  formatEsmLogRecord,
  type SystemLogLevel,
  writesAtLevel,
} from '../../labs/esm-system-log.ts';
import type { Clock } from '../clock.ts';

export interface EsmSystemLogOptions {
  level: SystemLogLevel;
  uuid: string;
  resourceArn: string;
  eventSourceArn: string;
  clock: Clock;
  write(line: { text: string; logStreamName: string; timestamp: number; record: EsmLogRecord }): void;
}

export interface PartitionOffsets {
  partition: string;
  endOffset: number;
  consumedOffset: number;
  processedOffset: number;
  committedOffset: number;
}

export class EsmSystemLog {
  private generation = 0;

  constructor(private readonly options: EsmSystemLogOptions) {}

  /** INFO, once per poller whenever its consumer is built or its partitions change. */
  pollersAssigned(
    assignments: string[][],
    connection: { brokers: string[]; topic: string; groupId: string; totalPartitionCount: number; securityProtocol: string; saslMechanism: string | null },
  ): void {
    this.generation++;
    assignments.forEach((partitions, poller) =>
      this.emit('POLLER_STATUS_EVENT', poller, {
        kafkaEventSourceConnection: {
          brokerEndpoints: connection.brokers.join(','),
          securityProtocol: connection.securityProtocol,
          saslMechanism: connection.saslMechanism,
          consumerId: `${this.options.uuid}-${poller}`,
          topics: [connection.topic],
          consumerGroupId: connection.groupId,
          totalPartitionCount: connection.totalPartitionCount,
          assignedPartitionCount: partitions.length,
          partitionsAssignmentGeneration: this.generation,
          assignedPartitions: partitions,
        },
      }),
    );
  }

  /** DEBUG, once a minute per partition. */
  offsets(partitions: Array<PartitionOffsets & { poller: number }>): void {
    for (const { poller, ...offsets } of partitions) this.emit('KAFKA_STATUS_EVENT', poller, { kafkaPartitionOffsets: offsets });
  }

  /** WARN, when a poller meets an error or something that may surprise. */
  warning(errorMessage: string, errorCode: string, poller = 0): void {
    this.emit('ESM_PROCESSING_EVENT', poller, { error: { errorMessage, errorCode } });
  }

  private emit(eventType: EsmLogEventType, poller: number, content: Partial<EsmLogRecord>): void {
    if (!writesAtLevel(this.options.level, eventType)) return;
    const timestamp = this.options.clock.now();
    const record: EsmLogRecord = {
      eventType,
      timestamp,
      resourceArn: this.options.resourceArn,
      eventSourceArn: this.options.eventSourceArn,
      eventProcessorId: `${this.options.uuid}/${poller}`,
      logLevel: ESM_LOG_EVENT_LEVEL[eventType],
      ...content,
    };
    this.options.write({ text: formatEsmLogRecord(record), logStreamName: esmLogStreamName(this.options.uuid, timestamp), timestamp, record });
  }
}
