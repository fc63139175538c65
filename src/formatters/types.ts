import type { LintReport } from "../engine/result.js";
import type { AnyRule } from "../engine/rule.js";

export interface FormatMeta {
  /** Working directory: file paths are shown relative to it. */
  cwd: string;
  color: boolean;
  rules: readonly AnyRule[];
  version: string;
}

/** A formatter is pure: the report and some facts in, the text to print out. */
export type Formatter = (report: LintReport, meta: FormatMeta) => string;
