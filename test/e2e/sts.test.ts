// STS GetCallerIdentity at the same endpoint, told apart by the credential scope's service: the
// call the AWS CLI, the SDKs and Terraform's provider make to learn a key's account.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, OTHER, startTestService, type TestService } from '../support/service.ts';
import { awsCli, probeAwsCli } from './support/aws-cli.ts';
import { rejection } from './support/rejection.ts';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => service?.stop());

const sts = (account: { accessKeyId: string; secretAccessKey: string }) =>
  new STSClient({ region: 'us-east-1', endpoint: service.url, credentials: account, maxAttempts: 1 });

describe('STS GetCallerIdentity with the JS SDK', () => {
  it("answers each key's own account, as its root", async () => {
    for (const account of [ADMIN, OTHER]) {
      const identity = await sts(account).send(new GetCallerIdentityCommand({}));
      expect(identity).toMatchObject({
        Account: account.accountId,
        UserId: account.accountId,
        Arn: `arn:aws:iam::${account.accountId}:root`,
      });
      expect(identity.$metadata.requestId).toMatch(/\S/);
    }
  });

  it("refuses an unknown key with STS's own error code", async () => {
    const error = await rejection(
      sts({ accessKeyId: 'AKIANOSUCHKEY0000000', secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({})),
    );
    expect(error).toMatchObject({ name: 'InvalidClientTokenId', $metadata: { httpStatusCode: 403 } });
  });
});

const cli = await probeAwsCli();
describe.skipIf(skipUnless(cli.available, 'the AWS CLI STS test', cli.reason))('STS GetCallerIdentity with the AWS CLI', () => {
  it('answers aws sts get-caller-identity, and an STS action this service does not have with InvalidAction', async () => {
    const aws = await awsCli(service.url, OTHER);
    const identity = await aws.ok('aws sts get-caller-identity');
    expect(identity.json).toEqual({ UserId: OTHER.accountId, Account: OTHER.accountId, Arn: `arn:aws:iam::${OTHER.accountId}:root` });
    const refused = await aws.run('aws sts get-session-token');
    expect(refused).toMatchObject({ errorCode: 'InvalidAction', errorAction: 'GetSessionToken' });
  });
});
