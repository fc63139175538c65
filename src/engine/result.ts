/** ESLint-compatible result shapes (the `json` format prints these as they are). */
export interface LintMessage {
  ruleId: string;
  messageId: string;
  /** 1 warning, 2 error. */
  severity: 1 | 2;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Other places the finding involves (the trust policy behind a predicted AccessDenied). */
  related?: { message: string; file: string; line: number; column: number; endLine: number; endColumn: number }[];
}

export interface LintResult {
  /** Absolute path, as ESLint reports it. */
  filePath: string;
  messages: LintMessage[];
  errorCount: number;
  warningCount: number;
}

export interface LintReport {
  results: LintResult[];
  /** Files read and understood, for the summary line and benchmarks. */
  filesLinted: number;
  errorCount: number;
  warningCount: number;
}

export function compareMessages(a: LintMessage, b: LintMessage): number {
  return a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId) || a.message.localeCompare(b.message);
}
