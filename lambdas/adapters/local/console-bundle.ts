// Builds the web console (web/) with the project's esbuild into three files held in memory: the
// page, one script, one stylesheet. `npm start` builds it as it starts (nothing generated is
// committed); the CDK app writes the same files into the console Lambda's asset.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import type { ConsoleAssets } from '../http/console-assets.ts';

const projectRoot = path.resolve(import.meta.dirname, '../../..');
export const CONSOLE_SOURCE = path.join(projectRoot, 'web');

/** The browser build: one ES module for current browsers, minified, no source from outside web/ and node_modules. */
async function buildScript(): Promise<string> {
  const result = await build({
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

let built: Promise<ConsoleAssets> | undefined;

/** The console's files by path below the base path; built once per process. */
export function consoleAssets(): Promise<ConsoleAssets> {
  built ??= (async () => {
    const [page, script, styles] = await Promise.all([
      readFile(path.join(CONSOLE_SOURCE, 'index.html'), 'utf8'),
      buildScript(),
      readFile(path.join(CONSOLE_SOURCE, 'console.css'), 'utf8'),
    ]);
    return new Map([
      ['', { contentType: 'text/html; charset=utf-8', body: page }],
      ['console/console.js', { contentType: 'text/javascript; charset=utf-8', body: script }],
      ['console/console.css', { contentType: 'text/css; charset=utf-8', body: styles }],
    ]);
  })();
  return built;
}
