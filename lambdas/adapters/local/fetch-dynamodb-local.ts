// Makes AWS's DynamoDB Local (DynamoDBLocal.jar + DynamoDBLocal_lib/) available under
// node_modules/.cache/dynamodb-local/. It ships inside the npm package amplify-dynamodb-simulator;
// we take only its emulator/ folder rather than depending on the package, whose own
// dependencies weigh ~300 MB. Runs as postinstall (package.json) and lazily from the launcher
// (dynamodb-local.ts); it needs nothing but Node's own modules.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

const SOURCE_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
/** sha256 of the DynamoDBLocal.jar (1.25.1) inside that package, checked after extraction. */
const JAR_SHA256 = '454305e9bc3e6ebcca5b62569869e31563b8d7e346474e94557b2600702146c7';
/** Records which package the directory came from, so a version bump refreshes it. */
const MARKER_FILE = '.source';

const projectRoot = fileURLToPath(new URL('../../..', import.meta.url));
const cacheRoot = path.join(projectRoot, 'node_modules', '.cache');

const dynamoDbLocalDir = path.join(cacheRoot, 'dynamodb-local');

class DynamoDbLocalFetchError extends Error {
  override name = 'DynamoDbLocalFetchError';
}

interface FetchResult {
  dir: string;
  fetched: boolean;
  elapsedMs: number;
}

async function isPresent(dir: string): Promise<boolean> {
  try {
    const [jar, lib, marker] = await Promise.all([
      stat(path.join(dir, 'DynamoDBLocal.jar')),
      stat(path.join(dir, 'DynamoDBLocal_lib')),
      readFile(path.join(dir, MARKER_FILE), 'utf8'),
    ]);
    return jar.isFile() && lib.isDirectory() && marker.trim() === SOURCE_PACKAGE;
  } catch {
    return false;
  }
}

/** The most telling line of a failed command's stderr (npm's include noise: warnings, codes, log paths). */
function cause(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr ?? '';
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^npm (warn|notice)|^npm error (code|errno|syscall) |A complete log of this run/.test(line));
  return lines[0] ?? (error instanceof Error ? error.message : String(error));
}

async function packTarball(workDir: string): Promise<string> {
  try {
    const { stdout } = await run('npm', ['pack', SOURCE_PACKAGE, '--pack-destination', workDir, '--json', '--ignore-scripts'], {
      cwd: workDir,
      maxBuffer: 16 * 1024 * 1024,
    });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
    return path.join(workDir, packed.filename);
  } catch (error) {
    throw new DynamoDbLocalFetchError(
      `Could not download ${SOURCE_PACKAGE} with 'npm pack' (is npm installed and the npm registry reachable?): ${cause(error)}`,
    );
  }
}

async function extractEmulator(tarball: string, workDir: string): Promise<string> {
  try {
    await run('tar', ['-xzf', tarball, '-C', workDir, 'package/emulator']);
  } catch (error) {
    throw new DynamoDbLocalFetchError(`Could not extract package/emulator/ from ${tarball} with 'tar': ${cause(error)}`);
  }
  const emulator = path.join(workDir, 'package', 'emulator');
  const jar = await readFile(path.join(emulator, 'DynamoDBLocal.jar')).catch(() => undefined);
  if (jar === undefined) {
    throw new DynamoDbLocalFetchError(`${SOURCE_PACKAGE} contains no emulator/DynamoDBLocal.jar.`);
  }
  const digest = createHash('sha256').update(jar).digest('hex');
  if (digest !== JAR_SHA256) {
    throw new DynamoDbLocalFetchError(`DynamoDBLocal.jar from ${SOURCE_PACKAGE} has sha256 ${digest}, expected ${JAR_SHA256}.`);
  }
  await writeFile(path.join(emulator, MARKER_FILE), `${SOURCE_PACKAGE}\n`);
  return emulator;
}

/** Fetches DynamoDB Local unless an intact copy from the pinned package is already there. */
async function fetchDynamoDbLocal(): Promise<FetchResult> {
  const started = performance.now();
  const result = (fetched: boolean): FetchResult => ({ dir: dynamoDbLocalDir, fetched, elapsedMs: performance.now() - started });
  if (await isPresent(dynamoDbLocalDir)) return result(false);

  await mkdir(cacheRoot, { recursive: true });
  // Work beside the target so the final rename is atomic: readers never see a half-extracted jar.
  const workDir = await mkdtemp(path.join(cacheRoot, 'dynamodb-local-'));
  try {
    const emulator = await extractEmulator(await packTarball(workDir), workDir);
    // A concurrent fetch may have finished meanwhile; its copy is as good as ours.
    if (await isPresent(dynamoDbLocalDir)) return result(true);
    await rm(dynamoDbLocalDir, { recursive: true, force: true });
    try {
      await rename(emulator, dynamoDbLocalDir);
    } catch (error) {
      if (!(await isPresent(dynamoDbLocalDir))) throw error;
    }
    return result(true);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Returns the directory holding DynamoDBLocal.jar and DynamoDBLocal_lib/, fetching it first if needed. */
export async function ensureDynamoDbLocal(): Promise<string> {
  return (await fetchDynamoDbLocal()).dir;
}

if (import.meta.main) {
  try {
    const { dir, fetched, elapsedMs } = await fetchDynamoDbLocal();
    const where = path.relative(process.cwd(), dir) || dir;
    console.log(
      fetched
        ? `dynamodb-local: fetched ${SOURCE_PACKAGE} emulator into ${where} in ${(elapsedMs / 1000).toFixed(1)} s`
        : `dynamodb-local: already present in ${where}`,
    );
  } catch (error) {
    console.error(error instanceof DynamoDbLocalFetchError ? error.message : `dynamodb-local: ${String(error)}`);
    process.exitCode = 1;
  }
}
