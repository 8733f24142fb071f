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

export interface KafkaClusterProps {
  mode?: ClusterMode;
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
    } else {
      const options = props.provisioned ?? {};
      const cluster = new MskCluster(this, 'provisioned', {
        clusterName,
        kafkaVersion: options.kafkaVersion ?? '3.8.x',
        // One broker per private subnet (one per AZ).
        numberOfBrokerNodes: props.subnetIds.length,
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
    }
    this.ref = new ClusterRef(this.arn);
  }
}
