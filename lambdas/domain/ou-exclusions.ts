// Organizational-unit exclusions of a resource discovery (spec §11, DN-42): the new set is
// (existing − removes) ∪ adds, and it is checked as a whole — any problem refuses the change.
import { IpamError } from './errors.ts';

export const MAX_OU_EXCLUSIONS = 10;

/** Lenient on purpose: the guide's own examples use short ids (`o-1/r-1/ou-1/`). */
const ENTITY_PATH = /^o-[a-z0-9]+\/r-[a-z0-9]+\/(ou-[a-z0-9-]+\/)+\*?$/;

const invalid = (message: string) => new IpamError('InvalidParameterValue', message);

function requireDistinctPaths(paths: string[], parameter: string): void {
  if (paths.length > MAX_OU_EXCLUSIONS) throw invalid(`${parameter} can list at most ${MAX_OU_EXCLUSIONS} paths`);
  for (const path of paths) {
    if (!ENTITY_PATH.test(path)) {
      throw invalid(
        `The path '${path}' in ${parameter} is not an organizations entity path such as o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ or …/ou-ab12-11111111/*`,
      );
    }
  }
  const duplicate = paths.find((path, index) => paths.indexOf(path) !== index);
  if (duplicate) throw invalid(`The path '${duplicate}' appears more than once in ${parameter}`);
}

/** A path ending in `/*` covers its OU and every OU below it; one ending in `/` only that OU. */
export function exclusionsOverlap(a: string, b: string): boolean {
  const stem = (path: string) => (path.endsWith('*') ? path.slice(0, -1) : path);
  if (stem(a) === stem(b)) return true;
  return (a.endsWith('/*') && stem(b).startsWith(stem(a))) || (b.endsWith('/*') && stem(a).startsWith(stem(b)));
}

/** The exclusions after removing `removed` and adding `added`, or an InvalidParameterValue naming the first problem. */
export function changeOuExclusions(existing: string[], added: string[], removed: string[]): string[] {
  requireDistinctPaths(added, 'AddOrganizationalUnitExclusions');
  requireDistinctPaths(removed, 'RemoveOrganizationalUnitExclusions');
  const missing = removed.find((path) => !existing.includes(path));
  if (missing) throw invalid(`The path '${missing}' is not an organizational unit exclusion of this resource discovery`);
  const kept = existing.filter((path) => !removed.includes(path));
  const result = [...kept, ...added.filter((path) => !kept.includes(path))];
  for (let i = 0; i < result.length; i++) {
    for (let j = i + 1; j < result.length; j++) {
      if (exclusionsOverlap(result[i]!, result[j]!))
        throw invalid(`The organizational unit exclusions '${result[i]}' and '${result[j]}' overlap`);
    }
  }
  if (result.length > MAX_OU_EXCLUSIONS) {
    throw invalid(
      `A resource discovery can have at most ${MAX_OU_EXCLUSIONS} organizational unit exclusions; the change would leave ${result.length}`,
    );
  }
  return result;
}

/**
 * Whether an account whose entity path is `accountPath` (`o-…/r-…/ou-…/`, the OU it sits in) is
 * excluded: a path ending in `/` excludes the accounts directly in that OU, one ending in `/*`
 * those in that OU and in every OU below it (spec §11). Accounts in the root are never excluded.
 */
export function isExcludedPath(accountPath: string, exclusions: readonly string[]): boolean {
  return exclusions.some((exclusion) =>
    exclusion.endsWith('/*') ? accountPath.startsWith(exclusion.slice(0, -1)) : accountPath === exclusion,
  );
}
