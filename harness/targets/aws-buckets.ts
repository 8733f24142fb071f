// The S3 on-failure destination, read without changing it: every object is one failed batch's
// invocation record, the same KafkaBatchInfo offset ranges as an SQS or SNS record plus the whole
// invocation payload (https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html). AWS
// documents no object key for Kafka, so the whole bucket is listed (ListObjectsV2, paginated
// with ContinuationToken) and each object not seen before is fetched once.
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { explainAwsErrors } from './aws-credentials.ts';
import { type RetryOptions, withThrottlingRetry } from './aws-retry.ts';

/** Objects listed per scan, at most: a lab's failed batches are far fewer. */
export const MAX_OBJECTS_PER_SCAN = 10_000;

/** Every object of a bucket as a queue-like message (MessageId = key, Body = content), across scans. */
export class BucketPeek {
  readonly messages = new Map<string, { MessageId: string; Body: string }>();

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    private readonly retry: RetryOptions = {},
  ) {}

  /** Lists the bucket and fetches the objects not seen yet; returns how many were new. */
  async scan(): Promise<number> {
    let added = 0;
    let listed = 0;
    let token: string | undefined;
    do {
      const page = await explainAwsErrors('s3:ListBucket', () =>
        withThrottlingRetry(
          `S3 ListObjectsV2 on ${this.bucket}`,
          () => this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, ContinuationToken: token })),
          this.retry,
        ),
      );
      for (const object of page.Contents ?? []) {
        const key = object.Key;
        if (!key || this.messages.has(key)) continue;
        const body = await explainAwsErrors('s3:GetObject', () =>
          withThrottlingRetry(
            `S3 GetObject ${key}`,
            async () => (await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }))).Body!.transformToString(),
            this.retry,
          ),
        );
        this.messages.set(key, { MessageId: key, Body: body });
        added++;
      }
      listed += page.KeyCount ?? page.Contents?.length ?? 0;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token && listed < MAX_OBJECTS_PER_SCAN);
    return added;
  }
}
