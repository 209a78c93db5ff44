// Builds the web console (web/) with the project's esbuild into three files: the page, one script,
// one stylesheet. `npm start` builds them in memory as it starts (nothing generated is committed);
// the CDK app writes them into the console Lambda's asset (lib/constructs/console-function.ts).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { CONSOLE_FILES, type ConsoleAssets } from '../http/console-assets.ts';

const projectRoot = path.resolve(import.meta.dirname, '../../..');
const CONSOLE_SOURCE = path.join(projectRoot, 'web');

/** The browser build: one minified ES module for current browsers, from web/src and node_modules. */
function buildScript(): string {
  const result = buildSync({
    absWorkingDir: projectRoot,
    entryPoints: [path.join(CONSOLE_SOURCE, 'src/main.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: ['chrome120', 'firefox120', 'safari17'],
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return result.outputFiles[0].text;
}

/** The console's files by name (index.html, console.js, console.css). */
function buildFiles(): Record<string, string> {
  return {
    'index.html': readFileSync(path.join(CONSOLE_SOURCE, 'index.html'), 'utf8'),
    'console.js': buildScript(),
    'console.css': readFileSync(path.join(CONSOLE_SOURCE, 'console.css'), 'utf8'),
  };
}

let built: Promise<ConsoleAssets> | undefined;

/** The console's files by path below the base path; built once per process (about a tenth of a second). */
export function consoleAssets(): Promise<ConsoleAssets> {
  built ??= Promise.resolve().then(() => {
    const files = buildFiles();
    return new Map(CONSOLE_FILES.map(({ path: assetPath, file, contentType }) => [assetPath, { contentType, body: files[file] }]));
  });
  return built;
}

/** Writes the console's files into `dir` (created if need be), for a deployment to serve. */
export function writeConsoleFiles(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [file, body] of Object.entries(buildFiles())) writeFileSync(path.join(dir, file), body);
}
