// The Kafka cluster: MSK Serverless by default (pay per partition-hour and GB, no brokers to
// size), or a provisioned MSK cluster. Both take only IAM-authenticated TLS clients on port 9098.
// The construct also builds the ARNs that IAM policies scope Kafka actions to.

import { MskCluster } from '@cdktn/provider-aws/lib/msk-cluster/index.js';
import { MskServerlessCluster } from '@cdktn/provider-aws/lib/msk-serverless-cluster/index.js';
import { Fn } from 'cdktn';
import { Construct } from 'constructs';
import { resourceName } from './names.ts';

export type ClusterMode = 'serverless' | 'provisioned';

export interface ProvisionedClusterOptions {
  /** Default 3.8.x. */
  kafkaVersion?: string;
  /** Default kafka.t3.small: the cheapest broker, enough for the workshop's rates. */
  instanceType?: string;
  /** GiB of EBS per broker, default 10. */
  volumeSizeGb?: number;
}

/**
 * The replication factor topic-admin asks MSK Serverless for. AWS runs a serverless cluster's
 * brokers and lets a client set only the topic properties listed in
 * https://docs.aws.amazon.com/msk/latest/developerguide/serverless-config.html, replication not
 * among them; AWS's own tutorial creates a serverless topic without naming a factor
 * (msk-serverless-create-topic.html), which kafkajs cannot do (it has no "broker default"). 3 is
 * the factor of a three-AZ Kafka cluster, the replication MSK Serverless keeps (the developer
 * guide states no number; the provisioned default below is AWS's documented one).
 */
export const MSK_SERVERLESS_REPLICATION_FACTOR = 3;

export interface KafkaClusterProps {
  mode?: ClusterMode;
  /** One per Availability Zone, 2 or 3 of them (modules/network.ts). */
  subnetIds: string[];
  securityGroupIds: string[];
  provisioned?: ProvisionedClusterOptions;
}

/**
 * What IAM policies and event source mappings need of a cluster, whether it was created in this
 * stack or read from the base stack's outputs.
 */
export class ClusterRef {
  /** arn:aws:kafka:<region>:<account>:cluster/<cluster-name>/<cluster-uuid> */
  constructor(readonly arn: string) {}

  /** arn:aws:kafka:<region>:<account>:topic/<cluster-name>/<cluster-uuid>/<topic> */
  topicArn(topic: string): string {
    return `${Fn.replace(this.arn, ':cluster/', ':topic/')}/${topic}`;
  }

  /**
   * arn:aws:kafka:<region>:<account>:group/<cluster-name>/<cluster-uuid>/<group>. Without a group
   * id the ESM joins a group it names itself (one per mapping), unknown before the mapping
   * exists; the policy then covers this cluster's groups (`.../<cluster-uuid>/*`).
   */
  groupArn(group?: string): string {
    return `${Fn.replace(this.arn, ':cluster/', ':group/')}/${group ?? '*'}`;
  }
}

export class KafkaCluster extends Construct {
  readonly mode: ClusterMode;
  readonly ref: ClusterRef;
  readonly arn: string;
  readonly clusterName: string;
  /** Comma-separated host:9098 list for SASL/IAM clients. */
  readonly bootstrapBrokersSaslIam: string;
  /**
   * What topic-admin creates the workshop topics with (handlers/topic-admin.ts), explicitly:
   * kafkajs cannot ask for the broker's default. Provisioned: one replica per broker, one broker
   * per Availability Zone, which is MSK's own default.replication.factor (3 for clusters in 3 AZs,
   * 2 in 2 AZs: https://docs.aws.amazon.com/msk/latest/developerguide/msk-default-configuration.html).
   */
  readonly topicReplicationFactor: number;

  constructor(scope: Construct, id: string, props: KafkaClusterProps) {
    super(scope, id);
    this.mode = props.mode ?? 'serverless';
    const clusterName = resourceName(this, 'cluster');

    if (this.mode === 'serverless') {
      const cluster = new MskServerlessCluster(this, 'serverless', {
        clusterName,
        // MSK Serverless always encrypts in transit (TLS) and supports only IAM client auth.
        clientAuthentication: { sasl: { iam: { enabled: true } } },
        vpcConfig: [{ subnetIds: props.subnetIds, securityGroupIds: props.securityGroupIds }],
      });
      this.arn = cluster.arn;
      this.clusterName = cluster.clusterName;
      this.bootstrapBrokersSaslIam = cluster.bootstrapBrokersSaslIam;
      this.topicReplicationFactor = MSK_SERVERLESS_REPLICATION_FACTOR;
    } else {
      const options = props.provisioned ?? {};
      // One broker per private subnet, so per AZ: MSK spreads brokers evenly over the subnets and
      // needs their count to be a multiple of the subnets' (msk-create-cluster.html). The subnets
      // are counted at plan time (one per AZ the region has, up to 3), so this is an expression.
      const brokers = Fn.lengthOf(props.subnetIds);
      const cluster = new MskCluster(this, 'provisioned', {
        clusterName,
        kafkaVersion: options.kafkaVersion ?? '3.8.x',
        numberOfBrokerNodes: brokers,
        brokerNodeGroupInfo: {
          instanceType: options.instanceType ?? 'kafka.t3.small',
          clientSubnets: props.subnetIds,
          securityGroups: props.securityGroupIds,
          storageInfo: { ebsStorageInfo: { volumeSize: options.volumeSizeGb ?? 10 } },
        },
        clientAuthentication: { sasl: { iam: true }, unauthenticated: false },
        // TLS only, between clients and brokers and between brokers.
        encryptionInfo: { encryptionInTransit: { clientBroker: 'TLS', inCluster: true } },
      });
      this.arn = cluster.arn;
      this.clusterName = cluster.clusterName;
      this.bootstrapBrokersSaslIam = cluster.bootstrapBrokersSaslIam;
      this.topicReplicationFactor = brokers;
    }
    this.ref = new ClusterRef(this.arn);
  }
}
