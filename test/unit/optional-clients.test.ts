// Suites that need a real client the machine may lack (the AWS CLI, boto3, moto) skip without
// it, but never silently: each says, in one line, what it skipped and why.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';

afterEach(() => vi.restoreAllMocks());

describe('skipUnless', () => {
  it('says nothing and skips nothing when the client is there', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(skipUnless(true, 'the widget tests', 'widget is not on PATH')).toBe(false);
    expect(log).not.toHaveBeenCalled();
  });

  it('prints one line naming what is skipped and why, once however often it is asked', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(skipUnless(false, 'the gadget tests', "'gadget' is not on PATH (pip install gadget)")).toBe(true);
    expect(skipUnless(false, 'the gadget tests', "'gadget' is not on PATH (pip install gadget)")).toBe(true);
    expect(log.mock.calls).toEqual([["Skipping the gadget tests: 'gadget' is not on PATH (pip install gadget)."]]);
  });
});

const testRoot = path.resolve(import.meta.dirname, '..');
const testFiles = readdirSync(testRoot, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && !file.startsWith('fixtures'))
  .map((file) => ({ file, text: readFileSync(path.join(testRoot, file), 'utf8') }));

describe('every skip goes through skipUnless', () => {
  it('no test is skipped unconditionally or by a bare flag', () => {
    const bareSkips = testFiles.flatMap(({ file, text }) =>
      text.split('\n').flatMap((line, index) => {
        const bare = /\b(describe|it|test|suite)\.(skip|todo)\b|\bdescribe\.skipIf\((?!skipUnless\(|motoMissing\()/.test(line);
        return bare ? [`${file}:${index + 1}: ${line.trim()}`] : [];
      }),
    );
    expect(bareSkips).toEqual([]);
  });
});
