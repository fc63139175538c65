import type { Fix, Suggestion } from "./rule.js";

/** ESLint-compatible result shapes (the `json` format prints these as they are). */
export interface LintMessage {
  ruleId: string;
  messageId: string;
  /** 1 warning, 2 error. */
  severity: 1 | 2;
  /** One short line: what is wrong and the value involved. */
  message: string;
  /** Why it matters (the `--verbose` and json/sarif details). */
  explanation?: string;
  /** What to do about it. */
  fix?: string;
  /**
   * Stable identity of the finding (rule, message id, file, the located source text, the message without
   * line numbers, and a count among otherwise equal findings): unchanged when unrelated lines move. SARIF's
   * `partialFingerprints` and baselines use it.
   */
  fingerprint?: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Other places the finding involves (the trust policy behind a predicted AccessDenied). */
  related?: { message: string; file: string; line: number; column: number; endLine: number; endColumn: number }[];
  /**
   * The edits `--fix` applies: ESLint's `fix`, named apart from the advice text `fix` above (src/engine/rule.ts
   * `Fix`; edit files are absolute paths here). SARIF's `fixes` come from this and `suggestions`.
   */
  autofix?: Fix;
  /** Changes offered but never applied (`Suggestion`). */
  suggestions?: Suggestion[];
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
  /** Rules that threw (an oidclint bug): their findings are incomplete; the CLI exits 2. */
  ruleErrors?: { ruleId: string; message: string }[];
  /** `--online`: the repositories whose lookup failed (`owner/repo: why`); their conditions were not checked. */
  onlineFailures?: string[];
}

/** The one line that tells of a rule that failed (an oidclint bug), in every output. */
export function ruleErrorText(e: { ruleId: string; message: string }): string {
  return `internal error in rule ${e.ruleId}: ${e.message.replace(/\s*\n\s*/g, " ")}; its findings are incomplete; please report it`;
}

export function compareMessages(a: LintMessage, b: LintMessage): number {
  return (
    a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId) || a.message.localeCompare(b.message)
  );
}
