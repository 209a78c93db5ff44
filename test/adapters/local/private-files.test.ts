// Modes of the data directory and the files in it: exact, whatever the umask or an older version left.
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensurePrivateDir, ensurePrivateFile, makeFilesPrivate } from '../../../lambdas/adapters/local/private-files.ts';

const dirs: string[] = [];
const modeOf = async (file: string) => ((await stat(file)).mode & 0o777).toString(8);

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ipam-modes-unit-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('private files', () => {
  it('creates the directory 0700 and tightens an existing one only when it is ours', async () => {
    const root = await tempDir();
    await ensurePrivateDir(path.join(root, 'new'), async () => false);
    expect(await modeOf(path.join(root, 'new'))).toBe('700');

    const shared = path.join(root, 'shared');
    await mkdir(shared, { mode: 0o755 });
    await chmod(shared, 0o755);
    await ensurePrivateDir(shared, async () => false);
    expect(await modeOf(shared)).toBe('755');
    await ensurePrivateDir(shared, async () => true);
    expect(await modeOf(shared)).toBe('700');
  });

  it('makes files 0600: new ones, ones an older version left 0644, and ones another program wrote', async () => {
    const dir = await tempDir();
    await ensurePrivateFile(path.join(dir, 'events.jsonl'));
    expect(await modeOf(path.join(dir, 'events.jsonl'))).toBe('600');

    await writeFile(path.join(dir, 'metrics.jsonl'), 'kept\n', { mode: 0o644 });
    await ensurePrivateFile(path.join(dir, 'metrics.jsonl'));
    expect(await modeOf(path.join(dir, 'metrics.jsonl'))).toBe('600');

    await writeFile(path.join(dir, 'shared-local-instance.db'), '', { mode: 0o644 });
    await makeFilesPrivate(dir);
    expect(await modeOf(path.join(dir, 'shared-local-instance.db'))).toBe('600');
  });
});
