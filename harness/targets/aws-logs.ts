// The processors' "batch processed" lines (the contract in handlers/shared/telemetry.ts), read back
// from CloudWatch Logs: FilterLogEvents over each processor's log group (/aws/lambda/<function>,
// modules/function.ts), with a filter pattern that keeps only this run's batch lines, every page
// followed through nextToken.
//
// Filter pattern: two quoted terms, both required: "batch processed" "<runId>". Quoted terms match
// the exact text anywhere in the event, which is where a run's id sits in the processed/failed
// entries (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html).
// A line may still hold entries of another run (a batch spanning two runs); parsing keeps only
// this run's entries.
//
// The reader is incremental, so the harness can poll it: each read starts a margin before the
// newest event already seen (CloudWatch ingests out of order, by seconds) and drops events it has
// already seen by eventId. FilterLogEvents API:
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
import { type CloudWatchLogsClient, type FilteredLogEvent, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { BATCH_PROCESSED_MESSAGE, type BatchReport, readBatchReport } from '../../handlers/shared/telemetry.ts';
import { UsageError } from '../errors.ts';
import { explainAwsErrors } from './aws-credentials.ts';
import { type RetryOptions, withThrottlingRetry } from './aws-retry.ts';

/** One "batch processed" line as read from CloudWatch. */
export interface BatchLine extends BatchReport {
  /** The log event's timestamp (epoch ms): when the batch finished. */
  timestamp: number;
  logGroupName: string;
  eventId: string;
}

export function logGroupOf(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

export function batchLinePattern(runId: string): string {
  if (!/^[A-Za-z0-9._:@\-]+$/.test(runId)) {
    throw new UsageError(`Run id "${runId}" cannot be searched for in CloudWatch Logs: use letters, digits and . _ : @ - only.`);
  }
  return `"${BATCH_PROCESSED_MESSAGE}" "${runId}"`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The BatchReport in a log event's message, or undefined when it is not a "batch processed"
 * line. Tolerates a runtime prefix before the JSON (timestamp, request id, level) and Lambda's
 * JSON log format, where the handler's line is the `message` of an outer object.
 */
export function parseBatchLine(message: string): BatchReport | undefined {
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.slice(start).trim());
  } catch {
    return undefined;
  }
  if (isRecord(parsed) && isRecord(parsed.message)) parsed = parsed.message;
  return readBatchReport(parsed);
}

export interface LogReaderOptions {
  /** Log groups of the processors. */
  logGroupNames: string[];
  runId: string;
  /** Epoch ms; nothing before it is searched. */
  startTime: number;
  /** Re-read this much before the newest event seen, for late-ingested events. Default 60 s. */
  overlapMs?: number;
  retry?: RetryOptions;
}

/** Reads a run's batch lines, page by page; `read()` again returns only the new ones too. */
export class BatchLineReader {
  readonly lines: BatchLine[] = [];
  /** Lines whose JSON could not be read as a batch report (truncated above 256 KB, say). */
  unreadable = 0;
  /** Log groups that do not exist (yet): nothing has been logged there. */
  readonly missingGroups = new Set<string>();
  private readonly seen = new Set<string>();
  private readonly newest = new Map<string, number>();

  constructor(
    private readonly logs: CloudWatchLogsClient,
    private readonly options: LogReaderOptions,
  ) {}

  /** Fetches events logged since the last read; returns the lines added by this read. */
  async read(nowMs: number = Date.now()): Promise<BatchLine[]> {
    const added: BatchLine[] = [];
    const pattern = batchLinePattern(this.options.runId);
    for (const group of this.options.logGroupNames) {
      const from = Math.max(this.options.startTime, (this.newest.get(group) ?? -Infinity) - (this.options.overlapMs ?? 60_000));
      for await (const event of this.events(group, pattern, from, nowMs)) {
        const id = event.eventId ?? `${group}:${event.logStreamName}:${event.timestamp}:${event.message}`;
        if (this.seen.has(id)) continue;
        this.seen.add(id);
        const timestamp = event.timestamp ?? 0;
        this.newest.set(group, Math.max(this.newest.get(group) ?? 0, timestamp));
        const report = parseBatchLine(event.message ?? '');
        if (!report) {
          this.unreadable++;
          continue;
        }
        const line: BatchLine = { ...report, timestamp, logGroupName: group, eventId: id };
        this.lines.push(line);
        added.push(line);
      }
    }
    return added;
  }

  private async *events(group: string, pattern: string, from: number, to: number): AsyncGenerator<FilteredLogEvent> {
    let nextToken: string | undefined;
    let pages = 0;
    do {
      let page;
      try {
        page = await explainAwsErrors('logs:FilterLogEvents', () =>
          withThrottlingRetry(
            `CloudWatch Logs FilterLogEvents on ${group}`,
            () =>
              this.logs.send(
                new FilterLogEventsCommand({ logGroupName: group, filterPattern: pattern, startTime: Math.floor(from), endTime: Math.ceil(to), nextToken }),
              ),
            this.options.retry,
          ),
        );
      } catch (error) {
        if ((error as { name?: string })?.name === 'ResourceNotFoundException') {
          this.missingGroups.add(group);
          return;
        }
        throw error;
      }
      this.missingGroups.delete(group);
      yield* page.events ?? [];
      nextToken = page.nextToken || undefined;
      if (++pages > 10_000) throw new Error(`FilterLogEvents on ${group} kept returning nextToken after 10000 pages: stopping.`);
    } while (nextToken);
  }
}
