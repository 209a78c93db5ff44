// Runs before each test file of the dynamodb-local project (vitest.config.ts, setupFiles), also
// when the files of a worker share one module graph: what must happen once per file cannot sit at
// a support module's top level, which runs only for the first file that imports it.
import { afterAll } from 'vitest';
import { closeCliDrivers } from '../e2e/support/aws-cli-driver.ts';

// The AWS CLI driver processes (aws-cli-driver.ts) end with the test file that started them.
afterAll(closeCliDrivers);
