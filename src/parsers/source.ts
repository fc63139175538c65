import type { ResolvedSettings } from "../config/settings.js";

/** One input file as read from disk (or stdin). `path` is relative to the root, with `/` separators. */
export interface SourceFile {
  path: string;
  abs: string;
  text: string;
}

/** What parsers may use besides the file itself. */
export interface ParseEnv {
  root: string;
  settings: ResolvedSettings;
  /** Reads another file of the repository (templates referenced by Terraform, …); undefined when absent. */
  readFile(relPath: string): string | undefined;
  /**
   * Workflows whose text the rules cannot read anything in are only checked for syntax
   * (src/parsers/workflow/relevance.ts). Set for a lint with the built-in rules; off for `map`, `explain`
   * and custom rules, which read more of a workflow.
   */
  workflowPrefilter?: boolean;
}
