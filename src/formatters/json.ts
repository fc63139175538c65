import { ruleErrorText, type LintMessage, type LintResult } from "../engine/result.js";
import type { Formatter } from "./types.js";

/**
 * ESLint's JSON format: an array of `{ filePath, messages, errorCount, warningCount }`. When a rule failed
 * (an oidclint bug; exit code 2) the array ends with one more result, for the linted directory, holding a
 * `fatal: true` message per failed rule (`ruleId` names it), as ESLint marks what stopped linting.
 */
export const json: Formatter = (report, meta) => {
  const failed = report.ruleErrors ?? [];
  if (failed.length === 0) return JSON.stringify(report.results);
  const incomplete: LintResult & { fatalErrorCount: number } = {
    filePath: meta.cwd,
    messages: failed.map((e): LintMessage & { fatal: true } => ({
      ruleId: e.ruleId,
      messageId: "internalError",
      severity: 2,
      fatal: true,
      message: ruleErrorText(e),
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 1,
    })),
    errorCount: failed.length,
    fatalErrorCount: failed.length,
    warningCount: 0,
  };
  return JSON.stringify([...report.results, incomplete]);
};
