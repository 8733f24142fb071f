// kafkajs connection settings from the environment, shared by the producer and topic-admin.
//   KAFKA_BROKERS  comma-separated host:port list (MSK: the IAM bootstrap brokers, port 9098)
//   KAFKA_AUTH     "iam": MSK IAM auth, SASL/OAUTHBEARER over TLS, token from aws-msk-iam-sasl-signer-js
//                  "none": plaintext, for the local sandbox broker
//   AWS_REGION     signing region for IAM tokens (the Lambda runtime sets it)

import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { type KafkaConfig, logLevel } from 'kafkajs';

export const KAFKA_AUTH_MODES = ['iam', 'none'] as const;
export type KafkaAuthMode = (typeof KAFKA_AUTH_MODES)[number];

type Env = Record<string, string | undefined>;
type TokenSource = (region: string) => Promise<string>;

const mskIamToken: TokenSource = async (region) => (await generateAuthToken({ region })).token;

/**
 * How long a send keeps retrying a broker that is gone (a restart, a leader election, an MSK
 * broker replaced): kafkajs's default gives up after about 9 s, shorter than a broker restart on
 * a loaded laptop, and a whole batch of events then fails at once. This rides out about 35 s
 * (0.3, 0.6, 1.2, 2.4 then 5 s apart, each ±20%), then fails with the broker's error.
 */
export const SEND_RETRY = { retries: 10, initialRetryTime: 300, maxRetryTime: 5_000 } as const;

export function kafkaConfigFromEnv(env: Env, clientId: string, tokenSource: TokenSource = mskIamToken): KafkaConfig {
  const brokers = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (brokers.length === 0) {
    throw new Error('KAFKA_BROKERS is not set: set it to the bootstrap brokers, e.g. "b-1.example:9098,b-2.example:9098".');
  }
  const bad = brokers.filter((b) => !/^[^\s:]+:\d+$/.test(b));
  if (bad.length > 0) throw new Error(`KAFKA_BROKERS has entries that are not host:port: ${bad.join(', ')}.`);

  const auth = (env.KAFKA_AUTH?.trim() || 'none') as KafkaAuthMode;
  if (!KAFKA_AUTH_MODES.includes(auth)) {
    throw new Error(`KAFKA_AUTH=${JSON.stringify(env.KAFKA_AUTH)} is not valid: use "iam" (Amazon MSK) or "none" (local broker).`);
  }
  const base: KafkaConfig = { clientId, brokers, logLevel: logLevel.WARN, connectionTimeout: 5000, retry: SEND_RETRY };
  if (auth === 'none') return base;

  const region = env.AWS_REGION?.trim();
  if (!region) throw new Error('KAFKA_AUTH=iam needs AWS_REGION to sign the MSK IAM token.');
  return {
    ...base,
    ssl: true,
    sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: await tokenSource(region) }) },
  };
}
