/**
 * Which IGT subtests a run runs, chosen as igt_runner chooses them from its
 * test list with -t (include) and -x (exclude) regular expressions
 * (runner/job_list.c, filtered_job_list and add_subtests):
 *
 *  - a binary whose plain name matches an exclude pattern is left out whole;
 *  - a binary whose plain name matches an include pattern (or any binary when
 *    there is none) runs every subtest whose `igt@binary@subtest` name matches
 *    no exclude pattern;
 *  - any other binary runs the subtests whose name matches an include pattern
 *    and no exclude pattern;
 *  - a binary without subtests (--list-subtests exits 79) runs whole when its
 *    `igt@binary` name is not excluded and, if there are include patterns,
 *    matches one.
 *
 * Patterns are searched for anywhere in the name, without regard to case
 * (GRegex with G_REGEX_CASELESS there, a JavaScript RegExp with the i flag
 * here). Dynamic subtests are not chosen: igt_runner cannot choose them
 * either; a selected subtest reports all of its dynamic subtests. Pure.
 */
import { usageError } from '../errors.js';
import { igtName } from './names.js';

export const IGT_EXIT_SUCCESS = 0;
export const IGT_EXIT_SKIP = 77;
export const IGT_EXIT_INVALID = 79;
export const IGT_EXIT_FAILURE = 98;
export const IGT_EXIT_ABORT = 112;

export interface IgtFilters {
  include: RegExp[];
  exclude: RegExp[];
}

/** Compiles -t/-x style patterns; a pattern JavaScript cannot compile is a usage error naming its option. */
export function compileFilters(include: readonly string[], exclude: readonly string[], options = { include: '--igt-test', exclude: '--igt-exclude' }): IgtFilters {
  const compile = (source: string, option: string) => {
    try {
      return new RegExp(source, 'i');
    } catch (e) {
      throw usageError(`${option} '${source}' is not a valid regular expression: ${(e as Error).message}`, 'Patterns are searched in names like igt@core_auth@basic-auth, without regard to case.');
    }
  };
  return { include: include.map((s) => compile(s, options.include)), exclude: exclude.map((s) => compile(s, options.exclude)) };
}

export type SubtestListing =
  | { kind: 'subtests'; names: string[] }
  /** The binary has no subtests: it runs whole. */
  | { kind: 'none' }
  | { kind: 'error'; reason: string };

/** What `BINARY --list-subtests` said: names separated by white space, exit 0; exit 79 for a binary without subtests. */
export function parseSubtestListing(stdout: string, exit: { code: number | null; signal: string | null }): SubtestListing {
  if (exit.code === IGT_EXIT_SUCCESS) return { kind: 'subtests', names: stdout.split(/\s+/).filter(Boolean) };
  if (exit.code === IGT_EXIT_INVALID) return { kind: 'none' };
  return { kind: 'error', reason: exit.signal ? `--list-subtests was killed by ${exit.signal}` : `--list-subtests exited with ${exit.code}` };
}

export interface IgtJob {
  binary: string;
  /** null: the binary has no subtests and runs whole. */
  subtest: string | null;
}

export interface Selection {
  jobs: IgtJob[];
  /** Binaries whose subtests could not be listed (igt_runner drops them silently; hilt says so). */
  unlisted: { binary: string; reason: string }[];
}

const matchesAny = (res: RegExp[], s: string) => res.some((re) => re.test(s));

export function selectJobs(binaries: readonly { binary: string; listing: SubtestListing }[], filters: IgtFilters): Selection {
  const sel: Selection = { jobs: [], unlisted: [] };
  for (const { binary, listing } of binaries) {
    if (filters.exclude.length && matchesAny(filters.exclude, binary)) continue;
    const wholeBinary = !filters.include.length || matchesAny(filters.include, binary);
    if (listing.kind === 'error') {
      sel.unlisted.push({ binary, reason: listing.reason });
      continue;
    }
    if (listing.kind === 'none') {
      const name = igtName(binary);
      if (matchesAny(filters.exclude, name)) continue;
      if (wholeBinary || matchesAny(filters.include, name)) sel.jobs.push({ binary, subtest: null });
      continue;
    }
    for (const subtest of listing.names) {
      const name = igtName(binary, subtest);
      if (matchesAny(filters.exclude, name)) continue;
      if (!wholeBinary && !matchesAny(filters.include, name)) continue;
      sel.jobs.push({ binary, subtest });
    }
  }
  return sel;
}
