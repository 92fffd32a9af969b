import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

/** A database the function must reach. */
export interface DatabaseAccess {
  /** The database's security group: the function's egress goes to it, and nowhere wider. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** @default 5432 */
  readonly port?: number;
  /**
   * Also add the matching ingress rule on the database's security group (an `AWS::EC2::SecurityGroupIngress`
   * this stack then owns). Leave false when the database's stack manages its own rules.
   * @default false
   */
  readonly addIngressRule?: boolean;
}

/**
 * How the function reaches the Secrets Manager API, which it calls on every step.
 *
 * - `create-endpoint`: a new interface endpoint with private DNS in the given subnets; HTTPS egress goes only to
 *   the endpoint's security group, which admits only the function. For VPCs without one (isolated subnets).
 * - `existing-endpoint`: the VPC's endpoint (private DNS on); HTTPS egress goes only to its security group.
 * - `nat`: the public regional endpoint through a NAT gateway; HTTPS egress to 0.0.0.0/0 on 443, because the
 *   service's public addresses are not a fixed set and AWS publishes no managed prefix list for it.
 */
export type SecretsManagerAccess =
  | {
      readonly mode: 'create-endpoint';
      /** One subnet per AZ. @default - the function's subnets */
      readonly subnets?: ec2.SubnetSelection;
    }
  | {
      readonly mode: 'existing-endpoint';
      /** The endpoint's security group. */
      readonly securityGroup: ec2.ISecurityGroup;
      /** Also add the 443 ingress rule from the function on it. @default false */
      readonly addIngressRule?: boolean;
    }
  | { readonly mode: 'nat' };

/** Props of {@link RotatorNetwork}. */
export interface RotatorNetworkProps {
  /** The VPC the function runs in. */
  readonly vpc: ec2.IVpc;
  /** The function's subnets, the endpoint's default. */
  readonly vpcSubnets: ec2.SubnetSelection;
  /** Databases to reach. */
  readonly databases: readonly DatabaseAccess[];
  /** The route to Secrets Manager. */
  readonly secretsManagerAccess: SecretsManagerAccess;
}

const HTTPS = ec2.Port.tcp(443);

/**
 * The function's security group and its exact egress: the database port to each database's security group and
 * HTTPS to Secrets Manager. `allowAllOutbound: false` so nothing else leaves; a compromised function cannot
 * reach other hosts in the VPC or exfiltrate to the internet (except via the `nat` mode's 443).
 */
export class RotatorNetwork extends Construct {
  /** The function's security group. */
  readonly securityGroup: ec2.SecurityGroup;
  /** The created Secrets Manager endpoint, in `create-endpoint` mode. */
  readonly endpoint?: ec2.InterfaceVpcEndpoint;

  constructor(scope: Construct, id: string, props: RotatorNetworkProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      allowAllOutbound: false,
      description: 'pg-rotator function: egress to its databases and Secrets Manager only',
    });

    props.databases.forEach((database, index) => this.allowDatabase(database, index));

    const access = props.secretsManagerAccess;
    switch (access.mode) {
      case 'create-endpoint':
        this.endpoint = this.createEndpoint(props.vpc, access.subnets ?? props.vpcSubnets);
        break;
      case 'existing-endpoint':
        this.securityGroup.addEgressRule(access.securityGroup, HTTPS, 'HTTPS to the Secrets Manager endpoint');
        if (access.addIngressRule === true) {
          this.addIngress('SecretsManagerEndpointIngress', access.securityGroup, 'HTTPS', 443);
        }
        break;
      case 'nat':
        this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), HTTPS, 'HTTPS to Secrets Manager through NAT');
        break;
    }
  }

  private allowDatabase(database: DatabaseAccess, index: number): void {
    const port = database.port ?? 5432;
    this.securityGroup.addEgressRule(database.securityGroup, ec2.Port.tcp(port), `PostgreSQL ${port}`);
    if (database.addIngressRule === true) this.addIngress(`DatabaseIngress${index}`, database.securityGroup, 'PostgreSQL', port);
  }

  /**
   * An explicit ingress resource rather than `addIngressRule`, which silently does nothing on a security group
   * imported without `mutable: true`; asking for the rule must produce the rule.
   */
  private addIngress(id: string, target: ec2.ISecurityGroup, what: string, port: number): void {
    new ec2.CfnSecurityGroupIngress(this, id, {
      groupId: target.securityGroupId,
      sourceSecurityGroupId: this.securityGroup.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      description: `${what} from pg-rotator`,
    });
  }

  private createEndpoint(vpc: ec2.IVpc, subnets: ec2.SubnetSelection): ec2.InterfaceVpcEndpoint {
    const endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc,
      allowAllOutbound: false,
      description: 'Secrets Manager endpoint for pg-rotator: HTTPS from the function only',
    });
    const endpoint = new ec2.InterfaceVpcEndpoint(this, 'SecretsManagerEndpoint', {
      vpc,
      service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      subnets,
      // Private DNS makes the SDK's default regional hostname resolve to the endpoint: no endpoint URL to set.
      privateDnsEnabled: true,
      securityGroups: [endpointSecurityGroup],
      // `open: true` would admit the whole VPC CIDR; only the function needs this endpoint.
      open: false,
    });
    endpointSecurityGroup.addIngressRule(this.securityGroup, HTTPS, 'HTTPS from pg-rotator');
    this.securityGroup.addEgressRule(endpointSecurityGroup, HTTPS, 'HTTPS to the Secrets Manager endpoint');
    return endpoint;
  }
}
