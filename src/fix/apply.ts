import { lstatSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import { lintForFixes, type LintOptions } from "../engine/lint.js";
import type { LintReport } from "../engine/result.js";
import type { Fix, TextEdit } from "../engine/rule.js";

/**
 * `--fix` and `--fix-dry-run`, as ESLint does it: lint, apply every fix whose edits overlap no fix already
 * taken in this pass, lint again on the fixed texts, and repeat until nothing is left to fix or
 * `MAX_PASSES` passes have run. Passes work on texts in memory; `--fix` then writes each changed file once,
 * atomically (a temporary file in the same directory, renamed over the original, mode kept). A fix that
 * touches a file outside the repository root (the working directory), through `..` or a symlink, or a
 * file that is not a regular file, is never applied.
 */

export const MAX_PASSES = 10;

export interface FixedFile {
  /** Absolute path. */
  file: string;
  before: string;
  after: string;
}

export interface FixOutcome {
  /** The findings left after the last pass (what the fixed files still have). */
  report: LintReport;
  /** Files whose text the fixes changed. */
  changed: FixedFile[];
  /** Fixes applied over all passes. */
  applied: number;
  passes: number;
}

function overlaps(a: TextEdit, b: TextEdit): boolean {
  // (Not destructured: destructuring an array walks an iterator until the code is optimised.)
  const s1 = a.range[0];
  const e1 = a.range[1];
  const s2 = b.range[0];
  const e2 = b.range[1];
  // Two insertions at one point conflict too: their order would be arbitrary.
  return s1 === s2 || (s1 < e2 && s2 < e1);
}

/** Whether a file may be edited: a regular file whose real path is inside the real root. */
function insideRoot(file: string, root: string): boolean {
  try {
    if (!lstatSync(file).isFile()) return false;
    const real = realpathSync(file);
    const realRoot = realpathSync(root);
    const rel = relative(realRoot, real);
    return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !rel.startsWith(sep);
  } catch {
    return false;
  }
}

/**
 * The edits taken in one file, for `overlaps` questions in O(log n): taken edits never overlap each other,
 * so ordered by start their ends are ordered too, and an edit overlaps a taken one only if it overlaps the
 * taken edit starting at or before its start or the one starting after it. The starts every candidate
 * edit may take are known ahead (`points`, sorted, distinct); a Fenwick tree counts the taken ones among
 * them, which finds those two neighbours by rank.
 */
class TakenEdits {
  private readonly counts: Int32Array;
  /** By point index: the end of the taken edit starting there, -1 if none. */
  private readonly ends: Int32Array;
  private taken = 0;

  constructor(private readonly points: readonly number[]) {
    this.counts = new Int32Array(points.length + 1);
    this.ends = new Int32Array(points.length).fill(-1);
  }

  overlapsAny(e: TextEdit): boolean {
    const start = e.range[0];
    const end = e.range[1];
    const i = this.indexOf(start);
    if (this.ends[i] !== -1) return true;
    const before = this.countBelow(i);
    if (before > 0 && (this.ends[this.nth(before)] as number) > start) return true;
    const after = this.countBelow(i + 1);
    return after < this.taken && (this.points[this.nth(after + 1)] as number) < end;
  }

  add(e: TextEdit): void {
    const i = this.indexOf(e.range[0]);
    this.ends[i] = e.range[1];
    this.taken++;
    for (let k = i + 1; k < this.counts.length; k += k & -k) this.counts[k] = (this.counts[k] as number) + 1;
  }

  private indexOf(start: number): number {
    let lo = 0;
    let hi = this.points.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.points[mid] as number) < start) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** How many taken edits start at a point below index `i`. */
  private countBelow(i: number): number {
    let n = 0;
    for (let k = i; k > 0; k -= k & -k) n += this.counts[k] as number;
    return n;
  }

  /** The point index of the `rank`-th taken start (1-based). */
  private nth(rank: number): number {
    let pos = 0;
    let left = rank;
    for (let step = 1 << Math.floor(Math.log2(this.counts.length)); step > 0; step >>= 1) {
      const next = pos + step;
      if (next < this.counts.length && (this.counts[next] as number) < left) {
        pos = next;
        left -= this.counts[next] as number;
      }
    }
    return pos;
  }
}

/** The fixes of one report that can be applied together: in report order, skipping any that overlaps. */
export function selectFixes(report: LintReport, root: string): Fix[] {
  const candidates: Fix[] = [];
  const starts = new Map<string, number[]>();
  const allowed = new Map<string, boolean>();
  const mayEdit = (file: string): boolean => {
    let ok = allowed.get(file);
    if (ok === undefined) allowed.set(file, (ok = insideRoot(file, root)));
    return ok;
  };
  for (const result of report.results) {
    for (const m of result.messages) {
      const fix = m.autofix;
      if (!fix || fix.edits.length === 0) continue;
      if (!fix.edits.every((e) => mayEdit(e.file))) continue;
      // Edits of one fix must not overlap each other either.
      if (fix.edits.some((e, i) => fix.edits.some((o, j) => i < j && e.file === o.file && overlaps(e, o)))) continue;
      candidates.push(fix);
      for (const e of fix.edits) {
        const list = starts.get(e.file);
        if (list) list.push(e.range[0]);
        else starts.set(e.file, [e.range[0]]);
      }
    }
  }
  const byFile = new Map<string, TakenEdits>();
  for (const [file, list] of starts) {
    const points = [...new Set(list)].sort((a, b) => a - b);
    byFile.set(file, new TakenEdits(points));
  }
  const taken: Fix[] = [];
  for (const fix of candidates) {
    if (fix.edits.some((e) => byFile.get(e.file)?.overlapsAny(e))) continue;
    for (const e of fix.edits) byFile.get(e.file)?.add(e);
    taken.push(fix);
  }
  return taken;
}

/** Applies non-overlapping edits to a text (in one pass: a large file may take thousands of edits). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const pieces: string[] = [];
  let at = 0;
  for (const e of [...edits].sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1])) {
    pieces.push(text.slice(at, e.range[0]), e.text);
    at = e.range[1];
  }
  pieces.push(text.slice(at));
  return pieces.join("");
}

/**
 * Lints, fixes in memory until nothing more is fixable, and (unless `dryRun`) writes the changed files. The
 * report of what is left shows at most `shownPerRule` findings per rule and file (0: all; `capPerRule`); the
 * passes that fix see every finding whatever it is.
 */
export async function lintAndFix(options: LintOptions, dryRun: boolean, shownPerRule = 0): Promise<FixOutcome> {
  const root = resolve(options.cwd ?? process.cwd(), options.root ?? ".");
  const overlay = new Map<string, string>();
  const originals = new Map<string, string>();
  let applied = 0;
  let passes = 0;
  // Each pass needs only the findings' edits; the last one is completed for printing.
  let pass: Awaited<ReturnType<typeof lintForFixes>> | undefined = await lintForFixes(options);
  while (passes < MAX_PASSES) {
    const fixes = selectFixes(pass.report, root);
    if (fixes.length === 0) break;
    // A pass that is fixed is never printed: let it go before the next one is linted (else every model,
    // finding and text of the run is held twice while it is).
    pass = undefined;
    const edits = new Map<string, TextEdit[]>();
    for (const e of fixes.flatMap((f) => f.edits)) {
      const list = edits.get(e.file);
      if (list) list.push(e);
      else edits.set(e.file, [e]);
    }
    for (const [file, list] of edits) {
      const current = overlay.get(file) ?? readFileSync(file, "utf8");
      if (!originals.has(file)) originals.set(file, current);
      overlay.set(file, applyEdits(current, list));
    }
    applied += fixes.length;
    passes++;
    pass = await lintForFixes({ ...options, overlay });
  }
  const report = (await pass.whole(shownPerRule > 0 ? shownPerRule : undefined)).complete();
  const changed: FixedFile[] = [];
  for (const [file, before] of originals) {
    const after = overlay.get(file) ?? before;
    if (after !== before) changed.push({ file, before, after });
  }
  if (!dryRun) for (const c of changed) writeAtomically(c.file, c.after);
  return { report, changed, applied, passes };
}

function writeAtomically(file: string, text: string): void {
  const tmp = resolve(dirname(file), `.${file.slice(dirname(file).length + 1)}.oidclint-fix-${process.pid}`);
  try {
    writeFileSync(tmp, text, { mode: statSync(file).mode & 0o7777, flag: "wx" });
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    throw e;
  }
}
