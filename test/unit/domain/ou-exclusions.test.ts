// OU exclusion paths (spec §11, DN-42), with the guide's own examples.
import { describe, expect, it } from 'vitest';
import { IpamError } from '../../../lambdas/domain/errors.ts';
import { changeOuExclusions, exclusionsOverlap, MAX_OU_EXCLUSIONS } from '../../../lambdas/domain/ou-exclusions.ts';

const CHILD_OU = 'o-a1b2c3d4e5/r-f6g7h8i9j0example/ou-ghi0-awsccecc/ou-jkl0-awsddddd/';
const SUBTREE = 'o-a1b2c3d4e5/r-f6g7h8i9j0example/ou-ghi0-awsccecc/*';

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(IpamError);
    expect((error as IpamError).code).toBe('InvalidParameterValue');
    return (error as IpamError).message;
  }
  throw new Error('expected InvalidParameterValue');
}

describe('OU exclusion paths', () => {
  it('accept the guide examples, short ids included', () => {
    expect(changeOuExclusions([], [CHILD_OU, 'o-1/r-1/ou-2/*'], [])).toEqual([CHILD_OU, 'o-1/r-1/ou-2/*']);
  });

  it('refuse what is not an organizations entity path', () => {
    for (const path of [
      'o-1/r-1/',
      'o-1/ou-1/',
      'r-1/ou-1/',
      'o-1/r-1/ou-1',
      'o-1/r-1/ou-1/**',
      'O-1/r-1/ou-1/',
      'o-1/r-1/ou-1/*/ou-2/',
      '',
    ]) {
      expect(refusal(() => changeOuExclusions([], [path], []))).toContain(`'${path}'`);
    }
  });

  it('tell overlapping paths from nested ones (UG L1866–1881)', () => {
    expect(exclusionsOverlap('o-1/r-1/ou-1/', 'o-1/r-1/ou-1/ou-2/')).toBe(false);
    expect(exclusionsOverlap('o-1/r-1/ou-1/*', 'o-1/r-1/ou-1/ou-2/')).toBe(true);
    expect(exclusionsOverlap('o-1/r-1/ou-1/ou-2/', 'o-1/r-1/ou-1/*')).toBe(true);
    expect(exclusionsOverlap('o-1/r-1/ou-1/*', 'o-1/r-1/ou-1/')).toBe(true);
    expect(exclusionsOverlap('o-1/r-1/ou-1/*', 'o-1/r-1/ou-10/')).toBe(false);
    expect(exclusionsOverlap('o-1/r-1/ou-1/*', 'o-1/r-1/ou-2/*')).toBe(false);
  });

  it('validate the resulting set: duplicates, missing removals, overlaps and the quota', () => {
    expect(refusal(() => changeOuExclusions([], [CHILD_OU, CHILD_OU], []))).toContain('more than once in AddOrganizationalUnitExclusions');
    expect(refusal(() => changeOuExclusions([CHILD_OU], [], [CHILD_OU, CHILD_OU]))).toContain(
      'more than once in RemoveOrganizationalUnitExclusions',
    );
    expect(refusal(() => changeOuExclusions([], [], [CHILD_OU]))).toContain('is not an organizational unit exclusion');
    expect(refusal(() => changeOuExclusions([CHILD_OU], [SUBTREE], []))).toContain('overlap');
    // Removing the narrower path in the same request makes room for the wider one.
    expect(changeOuExclusions([CHILD_OU], [SUBTREE], [CHILD_OU])).toEqual([SUBTREE]);
    const ten = Array.from({ length: MAX_OU_EXCLUSIONS }, (_, i) => `o-1/r-1/ou-${i}/`);
    expect(changeOuExclusions(ten.slice(0, 5), ten.slice(5), [])).toEqual(ten);
    expect(refusal(() => changeOuExclusions(ten, ['o-1/r-1/ou-x/'], []))).toContain('at most 10');
    expect(refusal(() => changeOuExclusions([], [...ten, 'o-1/r-1/ou-x/'], []))).toContain('at most 10');
    // Adding a path that is already there changes nothing.
    expect(changeOuExclusions([CHILD_OU], [CHILD_OU], [])).toEqual([CHILD_OU]);
  });
});
