// The network the workshop runs in: one VPC, one private subnet in each of up to three
// Availability Zones, and the two security groups every other construct uses. Nothing here can
// reach the internet.
//
// MSK places its brokers (provisioned) or its endpoints (serverless) in the subnets, which must
// be in distinct Availability Zones, two or three of them (msk-create-cluster.html; provisioned
// brokers are spread evenly over them). Some regions offer only two eligible zones, so the
// subnets are counted at plan time, one per zone of the region's list, at most three: a subnet
// never wraps around to a zone that already has one.
//
// How an on-demand MSK event source mapping reaches AWS: its pollers run in ENIs that Lambda
// places in the cluster's subnets with the cluster's security groups, and from there they must
// call Lambda (to invoke the function) and STS (to assume the execution role). AWS allows a NAT
// gateway or VPC interface endpoints for that (lambda/latest/dg/with-msk-cluster-network.html).
// We use interface endpoints for Lambda and STS, not NAT, because:
//   - no internet path at all: no public subnet, no internet gateway, no NAT, so nothing in the
//     VPC (including the producer) can send data out of it;
//   - data through an endpoint costs $0.01/GB against $0.045/GB through a NAT gateway, and there
//     is no NAT per AZ to pay for resilience;
//   - hourly: 2 endpoints x 3 AZs x ~$0.01 = ~$0.06/h, about one NAT gateway's hourly price
//     ($0.045/h) plus its data charge; a lab with an SQS destination adds one more endpoint
//     (~$0.03/h) only while that lab's stack is deployed.
// Provisioned-mode ESMs do not need either (AWS: provisioned mode does not use PrivateLink), but
// lab 1 runs on-demand, so the endpoints are part of the base.

import { DataAwsAvailabilityZones } from '@cdktn/provider-aws/lib/data-aws-availability-zones/index.js';
import { RouteTable } from '@cdktn/provider-aws/lib/route-table/index.js';
import { RouteTableAssociation } from '@cdktn/provider-aws/lib/route-table-association/index.js';
import { SecurityGroup } from '@cdktn/provider-aws/lib/security-group/index.js';
import { Subnet } from '@cdktn/provider-aws/lib/subnet/index.js';
import { Vpc } from '@cdktn/provider-aws/lib/vpc/index.js';
import { VpcEndpoint } from '@cdktn/provider-aws/lib/vpc-endpoint/index.js';
import { VpcSecurityGroupEgressRule } from '@cdktn/provider-aws/lib/vpc-security-group-egress-rule/index.js';
import { VpcSecurityGroupIngressRule } from '@cdktn/provider-aws/lib/vpc-security-group-ingress-rule/index.js';
import { Fn, type ITerraformDependable, Op, TerraformCount, TerraformStack, Token } from 'cdktn';
import { Construct } from 'constructs';
import { resourceName } from './names.ts';

/** The port MSK brokers listen on for IAM-authenticated TLS clients. */
export const MSK_IAM_PORT = 9098;
const HTTPS_PORT = 443;

/** MSK takes subnets in two or three distinct Availability Zones (msk-create-cluster.html). */
export const MSK_AZS = { min: 2, max: 3 } as const;

export interface NetworkProps {
  region: string;
  /** Default 10.40.0.0/16; each private subnet is a /20 of it. */
  cidrBlock?: string;
}

export class Network extends Construct {
  readonly vpcId: string;
  /** One per Availability Zone, 2 or 3 of them: a list known at plan time. */
  readonly privateSubnetIds: string[];
  /** MSK, the ESM pollers, the producer and topic-admin: 9098 only among its own members. */
  readonly workloadSecurityGroupId: string;
  /** Interface endpoints: 443 only from the workload group. */
  readonly endpointSecurityGroupId: string;
  /**
   * Rules, routes and endpoints: what a VPC function needs before its first invocation. The
   * function itself only depends on the subnets and groups, not on their rules.
   */
  readonly ready: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const cidrBlock = props.cidrBlock ?? '10.40.0.0/16';

    // Availability Zones only: an account opted in to a Local Zone or Wavelength Zone sees it in the
    // list too, and MSK cannot place brokers there (the provider's own example filters on
    // opt-in-status; regular zones are opt-in-not-required). use1-az3 has no MSK capacity (MSK
    // developer guide), so it is never picked.
    const azs = new DataAwsAvailabilityZones(this, 'azs', {
      state: 'available',
      excludeZoneIds: ['use1-az3'],
      filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }],
    });

    const vpc = new Vpc(this, 'vpc', {
      cidrBlock,
      // Private DNS of the interface endpoints needs both.
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: resourceName(this, 'vpc') },
    });
    this.vpcId = vpc.id;

    const routes = new RouteTable(this, 'private-routes', {
      vpcId: vpc.id,
      tags: { Name: resourceName(this, 'private') },
    });

    // count.index < count <= the number of zones, so element() never wraps around to a zone
    // already used, and the data source lists each zone once.
    const zones = TerraformCount.of(Fn.min([MSK_AZS.max, Fn.lengthOf(azs.names)]));
    const subnets = new Subnet(this, 'private', {
      count: zones,
      vpcId: vpc.id,
      availabilityZone: Fn.element(azs.names, zones.index),
      cidrBlock: Fn.cidrsubnet(cidrBlock, 4, zones.index),
      mapPublicIpOnLaunch: false,
      tags: { Name: resourceName(this, 'private', '${count.index}') },
      lifecycle: {
        precondition: [
          {
            condition: Op.gte(Fn.lengthOf(azs.names), MSK_AZS.min),
            errorMessage: `MSK needs subnets in at least ${MSK_AZS.min} Availability Zones and this region offers fewer (Local and Wavelength Zones and use1-az3 do not count): deploy to a region with ${MSK_AZS.min} or more, such as eu-west-1 or us-east-1.`,
          },
        ],
      },
    });
    this.privateSubnetIds = Token.asList(Fn.lookupNested(subnets, ['*', 'id']));
    const associations = new RouteTableAssociation(this, 'private-route-associations', {
      count: zones,
      subnetId: Fn.element(this.privateSubnetIds, zones.index),
      routeTableId: routes.id,
    });
    this.ready.push(associations);
    this.carryOverUncountedSubnets(subnets, associations);

    // Terraform removes the default allow-all egress rule of a new security group, so the
    // rules below are the only ones.
    const workload = new SecurityGroup(this, 'workload-sg', {
      name: resourceName(this, 'workload'),
      description: 'MSK brokers, ESM pollers and VPC Lambda functions: Kafka IAM port among members only',
      vpcId: vpc.id,
      tags: { Name: resourceName(this, 'workload') },
    });
    const endpoints = new SecurityGroup(this, 'endpoint-sg', {
      name: resourceName(this, 'endpoints'),
      description: 'VPC interface endpoints: HTTPS from the workload group only',
      vpcId: vpc.id,
      tags: { Name: resourceName(this, 'endpoints') },
    });
    this.workloadSecurityGroupId = workload.id;
    this.endpointSecurityGroupId = endpoints.id;

    this.ready.push(
      new VpcSecurityGroupIngressRule(this, 'kafka-in-from-self', {
        securityGroupId: workload.id,
        referencedSecurityGroupId: workload.id,
        ipProtocol: 'tcp',
        fromPort: MSK_IAM_PORT,
        toPort: MSK_IAM_PORT,
        description: 'Kafka (SASL/IAM over TLS) from members of this group',
      }),
    );
    this.ready.push(
      new VpcSecurityGroupEgressRule(this, 'kafka-out-to-self', {
        securityGroupId: workload.id,
        referencedSecurityGroupId: workload.id,
        ipProtocol: 'tcp',
        fromPort: MSK_IAM_PORT,
        toPort: MSK_IAM_PORT,
        description: 'Kafka (SASL/IAM over TLS) to members of this group',
      }),
    );
    this.ready.push(
      new VpcSecurityGroupEgressRule(this, 'https-out-to-endpoints', {
        securityGroupId: workload.id,
        referencedSecurityGroupId: endpoints.id,
        ipProtocol: 'tcp',
        fromPort: HTTPS_PORT,
        toPort: HTTPS_PORT,
        description: 'HTTPS to the VPC interface endpoints (Lambda, STS, SQS)',
      }),
    );
    this.ready.push(
      new VpcSecurityGroupIngressRule(this, 'https-in-from-workload', {
        securityGroupId: endpoints.id,
        referencedSecurityGroupId: workload.id,
        ipProtocol: 'tcp',
        fromPort: HTTPS_PORT,
        toPort: HTTPS_PORT,
        description: 'HTTPS from the workload group',
      }),
    );

    for (const service of ['lambda', 'sts'] as const) {
      const endpoint = new InterfaceEndpoint(this, `${service}-endpoint`, {
        service,
        region: props.region,
        vpcId: vpc.id,
        subnetIds: this.privateSubnetIds,
        securityGroupId: endpoints.id,
      });
      this.ready.push(endpoint.endpoint);
    }
  }

  /**
   * A base deployed before the subnets were counted has three subnet resources (private-0 to
   * private-2) with a route table association each. Terraform `moved` blocks make them instances
   * 0-2 of the counted ones, so updating the project does not replace the subnets, and with them
   * the cluster and its data. (In a two-zone region the third one never deployed: MSK refused it.)
   */
  private carryOverUncountedSubnets(subnets: Subnet, associations: RouteTableAssociation): void {
    const stack = TerraformStack.of(this);
    // The logical id a construct of that id had here, computed the way the stack allocates ids.
    const earlierId = (id: string): string => {
      const probe = new Construct(this, id);
      const logicalId = stack.getLogicalId(probe.node);
      this.node.tryRemoveChild(id);
      return logicalId;
    };
    const moved = [0, 1, 2].flatMap((i) => [
      { from: `aws_subnet.${earlierId(`private-${i}`)}`, to: `aws_subnet.${subnets.friendlyUniqueId}[${i}]` },
      {
        from: `aws_route_table_association.${earlierId(`private-${i}-routes`)}`,
        to: `aws_route_table_association.${associations.friendlyUniqueId}[${i}]`,
      },
    ]);
    stack.addOverride('moved', moved);
  }
}

export interface InterfaceEndpointProps {
  /** The service part of `com.amazonaws.<region>.<service>`: lambda, sts, sqs, sns, s3. */
  service: string;
  region: string;
  vpcId: string;
  subnetIds: string[];
  securityGroupId: string;
}

/**
 * A VPC interface endpoint with private DNS, so SDK calls to the public service name resolve to
 * it. A lab stack adds the SQS, SNS or S3 one when its ESM sends failures there: the pollers
 * deliver to the destination from inside the cluster VPC (lambda/latest/dg/kafka-on-failure.html).
 */
export class InterfaceEndpoint extends Construct {
  readonly endpointId: string;
  readonly endpoint: VpcEndpoint;

  constructor(scope: Construct, id: string, props: InterfaceEndpointProps) {
    super(scope, id);
    const endpoint = (this.endpoint = new VpcEndpoint(this, 'endpoint', {
      vpcId: props.vpcId,
      serviceName: `com.amazonaws.${props.region}.${props.service}`,
      vpcEndpointType: 'Interface',
      privateDnsEnabled: true,
      // S3 also has gateway endpoints; without one in the VPC, its interface endpoint's private
      // DNS must answer for the whole VPC, not only inbound resolver endpoints.
      ...(props.service === 's3' ? { dnsOptions: { privateDnsOnlyForInboundResolverEndpoint: false } } : {}),
      subnetIds: props.subnetIds,
      securityGroupIds: [props.securityGroupId],
      tags: { Name: resourceName(this, props.service, 'endpoint') },
    }));
    this.endpointId = endpoint.id;
  }
}
