// A second process writing the organisation file (test/adapters/local/organization-file.test.ts):
//   node test/support/organization-writer.ts <file> <name prefix> <count>
// creates <count> OUs named <prefix>-<n> in the root of the first organisation, one change each.
import { OrganizationFile } from '../../lambdas/adapters/local/organization-file.ts';
import { StoredOrganizationDirectory } from '../../lambdas/adapters/organization-directory.ts';
import { createOrganizationalUnit } from '../../lambdas/domain/organization-edits.ts';

const [file, prefix, count] = process.argv.slice(2);
const directory = new StoredOrganizationDirectory(new OrganizationFile(file!), {
  managementAccount: '123456789012',
  keyedAccounts: async () => [],
});
for (let n = 0; n < Number(count); n++) {
  await directory.changeDocument((document) => {
    const [first, ...rest] = document.organizations;
    return { ...document, organizations: [createOrganizationalUnit(first!, first!.RootId, `${prefix}-${n}`).org, ...rest] };
  });
}
