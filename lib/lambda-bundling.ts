// How every Lambda is bundled, in one place: the settings lib/constructs/ipam-function.ts gives
// the CDK's NodejsFunction, and the same build as esbuild options for code that bundles outside a
// synth (the bench's cold-start measure), so what is measured is what is deployed.
import path from 'node:path';
import type { BuildOptions } from 'esbuild';

// ESM output for top-level await; some bundled dependencies still call require().
const ESM_REQUIRE_SHIM =
  "import { createRequire as __ipamCreateRequire } from 'node:module'; const require = __ipamCreateRequire(import.meta.url);";

// Paths relative to the project root, where esbuild runs. See the files in lib/bundling/.
const ALIASES = {
  'node:http': './lib/bundling/node-http.cjs',
  http: './lib/bundling/node-http.cjs',
  '@aws-sdk/credential-provider-node': './lib/bundling/lambda-credentials.mjs',
};

/** NodejsFunction's `bundling` settings (forceDockerBundling apart). */
export const LAMBDA_BUNDLING = {
  format: 'esm',
  target: 'node24',
  mainFields: ['module', 'main'],
  // Bundle the SDK too: the code is tested against the versions in package-lock.json,
  // not whatever the runtime ships (the EC2 codec walks @aws-sdk/client-ec2's schemas).
  bundleAwsSDK: true,
  minify: true,
  // The map ships beside the code, to map a logged stack trace by hand or with SOURCE_MAPS_OPTION.
  sourceMap: true,
  sourcesContent: false,
  banner: ESM_REQUIRE_SHIM,
  esbuildArgs: { '--alias': Object.entries(ALIASES).map(([name, file]) => `${name}=${file}`) },
} as const;

/**
 * Not in the functions' NODE_OPTIONS: Node then reads and parses the 4 MB source map while it
 * loads the bundle, about a fifth of the api's cold start (docs/performance.md). Set
 * NODE_OPTIONS to it on a function while its stack traces are wanted in TypeScript terms.
 */
export const SOURCE_MAPS_OPTION = '--enable-source-maps';

/**
 * The esbuild build NodejsFunction runs for LAMBDA_BUNDLING (aws-lambda-nodejs's Bundling:
 * `esbuild --bundle <entry> --target=node24 --platform=node --format=esm --outfile=<dir>/index.mjs
 * --minify --sourcemap --sources-content=false --banner:js=… --main-fields=module,main --alias:…`,
 * from the project root, no externals since the SDK is bundled). test/cdk/bundling.test.ts checks
 * that it writes the same index.mjs as a synth.
 */
export function lambdaEsbuildOptions(projectRoot: string, entry: string, outdir: string): BuildOptions {
  return {
    absWorkingDir: projectRoot,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: LAMBDA_BUNDLING.target,
    format: LAMBDA_BUNDLING.format,
    outfile: path.join(outdir, 'index.mjs'),
    minify: LAMBDA_BUNDLING.minify,
    sourcemap: LAMBDA_BUNDLING.sourceMap,
    sourcesContent: LAMBDA_BUNDLING.sourcesContent,
    banner: { js: LAMBDA_BUNDLING.banner },
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    alias: ALIASES,
    logLevel: 'warning',
  };
}
