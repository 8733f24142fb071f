// The event source mapping's own log lines (LoggingConfig.SystemLogLevel, Kafka mappings in
// provisioned mode only): the levels, which event type each level carries, the stream they go
// to, and the record's shape, with its reader next to its writer (lambda/latest/dg/esm-logging.html).

export const ESM_LOGGING_DOC = 'https://docs.aws.amazon.com/lambda/latest/dg/esm-logging.html';

/** Most detail first: a mapping at INFO writes INFO and WARN lines, never DEBUG. */
export const SYSTEM_LOG_LEVELS = ['DEBUG', 'INFO', 'WARN'] as const;
export type SystemLogLevel = (typeof SYSTEM_LOG_LEVELS)[number];

/** Each documented event type and the level it is written at. */
export const ESM_LOG_EVENT_LEVEL = {
  /** Kafka offsets per partition, once a minute. */
  KAFKA_STATUS_EVENT: 'DEBUG',
  /** A poller's consumer was built or changed (its partition assignment). */
  POLLER_STATUS_EVENT: 'INFO',
  /** An error or warning from a poller, when it happens. */
  ESM_PROCESSING_EVENT: 'WARN',
} as const satisfies Record<string, SystemLogLevel>;
export type EsmLogEventType = keyof typeof ESM_LOG_EVENT_LEVEL;

/** True when a mapping at `configured` writes an event of `eventType`. */
export function writesAtLevel(configured: SystemLogLevel, eventType: EsmLogEventType): boolean {
  return SYSTEM_LOG_LEVELS.indexOf(ESM_LOG_EVENT_LEVEL[eventType]) >= SYSTEM_LOG_LEVELS.indexOf(configured);
}

/** The mapping's own stream in its function's log group: date and UUID, `2026/12/05/<uuid>`. */
export function esmLogStreamName(uuid: string, atMs: number): string {
  const d = new Date(atMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${uuid}`;
}

/** What every line holds, then the event's own content. */
export interface EsmLogRecord {
  eventType: EsmLogEventType;
  /** Epoch ms. */
  timestamp: number;
  /** The mapping's ARN. */
  resourceArn: string;
  eventSourceArn: string;
  /** `<uuid>/<poller index>`. */
  eventProcessorId: string;
  logLevel: SystemLogLevel;
  kafkaEventSourceConnection?: {
    /** One string, comma-separated as a bootstrap list, as AWS's example shows it. */
    brokerEndpoints: string;
    /** Kafka's security.protocol: SASL_SSL on MSK with IAM, PLAINTEXT on the sandbox's broker. */
    securityProtocol: string;
    /** Kafka's sasl.mechanism (AWS_MSK_IAM on MSK); null where the protocol has none. */
    saslMechanism: string | null;
    consumerId: string;
    topics: string[];
    consumerGroupId: string;
    totalPartitionCount: number;
    assignedPartitionCount: number;
    partitionsAssignmentGeneration: number;
    assignedPartitions: string[];
  };
  kafkaPartitionOffsets?: { partition: string; endOffset: number; consumedOffset: number; processedOffset: number; committedOffset: number };
  error?: { errorMessage: string; errorCode: string };
}

export function formatEsmLogRecord(record: EsmLogRecord): string {
  return JSON.stringify(record);
}

/** The record a line holds, or undefined when the line is not an ESM system log line. */
export function parseEsmLogRecord(text: string): EsmLogRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<EsmLogRecord>;
    if (
      value &&
      typeof value === 'object' &&
      typeof value.eventType === 'string' &&
      value.eventType in ESM_LOG_EVENT_LEVEL &&
      typeof value.resourceArn === 'string'
    ) {
      return value as EsmLogRecord;
    }
  } catch {
    // not JSON: a function's own line
  }
  return undefined;
}

/** What a run's report says about the mapping's system log. */
export interface EsmLogSummary {
  level: SystemLogLevel;
  /** The stream of the run's first line (a run past midnight UTC also writes the next day's). */
  logStreamName?: string;
  lines: Partial<Record<EsmLogEventType, number>>;
  /** The first WARN line's message, if any. */
  firstWarning?: string;
}

export function summarizeEsmLog(level: SystemLogLevel, lines: Iterable<{ logStreamName: string; record: EsmLogRecord }>): EsmLogSummary {
  const summary: EsmLogSummary = { level, lines: {} };
  for (const { logStreamName, record } of lines) {
    summary.logStreamName ??= logStreamName;
    summary.lines[record.eventType] = (summary.lines[record.eventType] ?? 0) + 1;
    if (record.error && summary.firstWarning === undefined) summary.firstWarning = record.error.errorMessage;
  }
  return summary;
}
