/**
 * IGT's names for tests, as igt_runner writes them in results.json and as
 * IGT's CI expectation lists use them: `igt@binary`, `igt@binary@subtest`,
 * `igt@binary@subtest@dynamic`, each part lower-cased and cut at the first
 * white space (runner/job_list.c, generate_piglit_name). hilt's baselines
 * use the same names. Pure.
 */

/** IGT's lowercase(): lower-cased, up to the first white space; one part of a name. */
export function igtNamePart(s: string): string {
  const ws = s.search(/\s/);
  return (ws < 0 ? s : s.slice(0, ws)).toLowerCase();
}

export function igtName(binary: string, subtest?: string | null, dynamic?: string | null): string {
  let name = `igt@${igtNamePart(binary)}`;
  if (subtest != null) name += `@${igtNamePart(subtest)}`;
  if (subtest != null && dynamic != null) name += `@${igtNamePart(dynamic)}`;
  return name;
}

export interface IgtNameParts {
  binary: string;
  subtest: string | null;
  dynamic: string | null;
}

/** Splits `igt@binary[@subtest[@dynamic]]`; null for anything else. */
export function parseIgtName(name: string): IgtNameParts | null {
  const parts = name.split('@');
  if (parts[0] !== 'igt' || parts.length < 2 || parts.length > 4 || parts.slice(1).some((p) => p === '')) return null;
  return { binary: parts[1]!, subtest: parts[2] ?? null, dynamic: parts[3] ?? null };
}
