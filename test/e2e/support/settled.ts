// The set-up steps the sharing tests repeat with the AWS CLI, each waiting as the guide does until
// the resource settles: an IPAM, and a pool with one provisioned CIDR.
import type { AwsCli } from './aws-cli.ts';
import { poll } from './poll.ts';

export async function settledIpam(as: AwsCli): Promise<{ IpamId: string; PrivateDefaultScopeId: string }> {
  const ipam = (await as.ok('aws ec2 create-ipam --operating-regions RegionName=us-east-1')).json.Ipam;
  await poll(
    async () => (await as.ok(`aws ec2 describe-ipams --ipam-ids ${ipam.IpamId}`)).json.Ipams[0].State,
    (state) => state === 'create-complete',
    'create-complete',
  );
  return ipam;
}

/** A pool in us-east-1 (its Name tag, if given, is what principals must not see) with `cidr` provisioned. */
export async function settledPool(
  as: AwsCli,
  scopeId: string,
  cidr: string,
  name?: string,
): Promise<{ IpamPoolId: string; IpamPoolArn: string }> {
  const tags = name ? ` --tag-specifications ResourceType=ipam-pool,Tags=[{Key=Name,Value=${name}}]` : '';
  const pool = (await as.ok(`aws ec2 create-ipam-pool --ipam-scope-id ${scopeId} --address-family ipv4 --locale us-east-1${tags}`)).json
    .IpamPool;
  await poll(
    async () => (await as.ok(`aws ec2 describe-ipam-pools --ipam-pool-ids ${pool.IpamPoolId}`)).json.IpamPools[0].State,
    (state) => state === 'create-complete',
    'create-complete',
  );
  await as.ok(`aws ec2 provision-ipam-pool-cidr --ipam-pool-id ${pool.IpamPoolId} --cidr ${cidr}`);
  await poll(
    async () => (await as.ok(`aws ec2 get-ipam-pool-cidrs --ipam-pool-id ${pool.IpamPoolId}`)).json.IpamPoolCidrs[0].State,
    (state) => state === 'provisioned',
    'provisioned',
  );
  return pool;
}
