// The repository stands alone: a fresh clone runs and tests with nothing beside it. No source file
// may read from, or point readers at, a folder outside the project (the design notes that once
// sat beside the checkout, or paths of the machine it was written on). Fixtures copied from those
// notes live in test/fixtures/, which say where they came from.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const projectRoot = path.resolve(import.meta.dirname, '../..');

// Spelled in pieces so that this file does not match itself.
const FORBIDDEN = [['..', 'shared'].join('/'), ...['work', 'root', 'opt'].map((dir) => `/${dir}/`)];

/** Files git tracks, plus new ones not yet added (but not ignored ones), minus copied fixtures. */
function sourceFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: projectRoot,
    encoding: 'utf8',
  });
  return listed.split('\0').filter((file) => file !== '' && !file.startsWith('test/fixtures/') && file !== 'package-lock.json');
}

describe('the repository stands alone', () => {
  it('no source file refers to a path outside the project', () => {
    const offending = sourceFiles().flatMap((file) => {
      let text: string;
      try {
        text = readFileSync(path.join(projectRoot, file), 'utf8');
      } catch {
        return []; // listed but deleted in the work tree
      }
      return text
        .split('\n')
        .flatMap((line, index) => (FORBIDDEN.some((needle) => line.includes(needle)) ? [`${file}:${index + 1}: ${line.trim()}`] : []));
    });
    expect(offending).toEqual([]);
  });
});
