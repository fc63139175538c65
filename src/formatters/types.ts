import type { LintReport } from "../engine/result.js";
import type { AnyRule } from "../engine/rule.js";

export interface FormatMeta {
  /** Working directory: file paths are shown relative to it. */
  cwd: string;
  color: boolean;
  rules: readonly AnyRule[];
  version: string;
  /** `--verbose`: explanation, fix and a code frame under each finding (stylish). */
  verbose?: boolean;
  /** The text of a linted file, for code frames (undefined when it cannot be read). */
  readSource?: (filePath: string) => string | undefined;
  /** Lines the reader must not miss, printed after the summary (failed `--online` lookups, a baseline's effect). */
  notes?: string[];
}

/** A formatter is pure: the report and some facts in, the text to print out. */
export type Formatter = (report: LintReport, meta: FormatMeta) => string;
