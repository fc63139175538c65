import { lstatSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import { lint, type LintOptions } from "../engine/lint.js";
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
  const [s1, e1] = a.range;
  const [s2, e2] = b.range;
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

/** The fixes of one report that can be applied together: in report order, skipping any that overlaps. */
export function selectFixes(report: LintReport, root: string): Fix[] {
  const taken: Fix[] = [];
  const byFile = new Map<string, TextEdit[]>();
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
      if (fix.edits.some((e) => (byFile.get(e.file) ?? []).some((t) => overlaps(e, t)))) continue;
      // Edits of one fix must not overlap each other either.
      if (fix.edits.some((e, i) => fix.edits.some((o, j) => i < j && e.file === o.file && overlaps(e, o)))) continue;
      for (const e of fix.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
      taken.push(fix);
    }
  }
  return taken;
}

/** Applies non-overlapping edits to a text, last first so earlier offsets stay valid. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.range[0] - a.range[0] || b.range[1] - a.range[1])) {
    out = out.slice(0, e.range[0]) + e.text + out.slice(e.range[1]);
  }
  return out;
}

/** Lints, fixes in memory until nothing more is fixable, and (unless `dryRun`) writes the changed files. */
export async function lintAndFix(options: LintOptions, dryRun: boolean): Promise<FixOutcome> {
  const root = resolve(options.cwd ?? process.cwd(), options.root ?? ".");
  const overlay = new Map<string, string>();
  const originals = new Map<string, string>();
  let applied = 0;
  let passes = 0;
  let report = await lint(options);
  while (passes < MAX_PASSES) {
    const fixes = selectFixes(report, root);
    if (fixes.length === 0) break;
    const edits = new Map<string, TextEdit[]>();
    for (const e of fixes.flatMap((f) => f.edits)) edits.set(e.file, [...(edits.get(e.file) ?? []), e]);
    for (const [file, list] of edits) {
      const current = overlay.get(file) ?? readFileSync(file, "utf8");
      if (!originals.has(file)) originals.set(file, current);
      overlay.set(file, applyEdits(current, list));
    }
    applied += fixes.length;
    passes++;
    report = await lint({ ...options, overlay });
  }
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
