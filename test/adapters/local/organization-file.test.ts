// The local organisation file: written atomically and privately, re-read when another process
// changed it, and never losing a change when two processes write at once.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrganizationFile, readOrganizationFile } from '../../../lambdas/adapters/local/organization-file.ts';
import { StoredOrganizationDirectory } from '../../../lambdas/adapters/organization-directory.ts';
import { createOrganizationalUnit } from '../../../lambdas/domain/organization-edits.ts';

const MANAGEMENT = '123456789012';
const WRITER = path.resolve(import.meta.dirname, '../../support/organization-writer.ts');

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ipam-org-file-'));
  file = path.join(dir, 'organization.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const directoryOn = (keyedAccounts: string[] = []) =>
  new StoredOrganizationDirectory(new OrganizationFile(file), { managementAccount: MANAGEMENT, keyedAccounts: async () => keyedAccounts });

const addOu = (directory: StoredOrganizationDirectory, name: string) =>
  directory.changeDocument((document) => {
    const [first, ...rest] = document.organizations;
    return { ...document, organizations: [createOrganizationalUnit(first!, first!.RootId, name).org, ...rest] };
  });

describe('the organisation file', () => {
  it('is created on the first change, 0600, with the default organisation and a version', async () => {
    const directory = directoryOn(['111122223333']);
    expect((await stat(file).catch(() => undefined))?.isFile()).toBeUndefined();
    await addOu(directory, 'Prod');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const written = JSON.parse(await readFile(file, 'utf8'));
    expect(written.version).toBe(1);
    expect(written.organizations[0].MasterAccountId).toBe(MANAGEMENT);
    // The accounts with keys were members by default; the first write keeps them.
    expect(written.organizations[0].accounts.map((account: { Id: string }) => account.Id)).toEqual([MANAGEMENT, '111122223333']);
  });

  it('is re-read when another writer changed it, as `npm run org` does while the service runs', async () => {
    const service = directoryOn();
    await addOu(service, 'Prod');
    expect((await service.list())[0]!.organizationalUnits.map((ou) => ou.Name)).toEqual(['Prod']);
    await addOu(directoryOn(), 'Test');
    expect((await service.list())[0]!.organizationalUnits.map((ou) => ou.Name)).toEqual(['Prod', 'Test']);
  });

  it('keeps every change when two processes and this one write at once', async () => {
    const run = promisify(execFile);
    const here = directoryOn();
    await Promise.all([
      run(process.execPath, [WRITER, file, 'left', '60']),
      run(process.execPath, [WRITER, file, 'right', '60']),
      (async () => {
        for (let n = 0; n < 60; n++) await addOu(here, `here-${n}`);
      })(),
    ]);
    const { document, version } = await readOrganizationFile(file);
    expect(document!.organizations[0]!.organizationalUnits).toHaveLength(180);
    expect(version).toBe(180);
  });

  it('refuses a broken file with one sentence naming it', async () => {
    await writeFile(file, '{"organizations": [{"MasterAccountId": "12"}]}');
    await expect(readOrganizationFile(file)).rejects.toThrow(`${file}: organizations[0].MasterAccountId must match`);
    await writeFile(file, '{');
    await expect(directoryOn().list()).rejects.toThrow(`${file} is not valid JSON`);
  });
});
