import { compareText } from "./collate.js";
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

/** A file's findings in order: by place, then rule id, then message (`compareText`: the same on every machine). */
export function compareMessages(a: LintMessage, b: LintMessage): number {
  return a.line - b.line || a.column - b.column || compareText(a.ruleId, b.ruleId) || compareText(a.message, b.message);
}

/** Findings shown per rule and file by default (`--max-per-rule`); the rest are summed up in one finding. */
export const DEFAULT_MAX_PER_RULE = 100;

/** The `messageId` of the finding that stands for a rule's findings beyond the cap in one file. */
export const MORE_FINDINGS = "moreFindings";

/**
 * One file's messages (sorted by `compareMessages`) with at most `max` per rule (0: no cap). A rule's
 * findings beyond the cap become one finding of that rule at the place of the first hidden one, with the
 * highest severity among them: "… and K more findings of this rule in this file". Findings below the cap
 * are the same objects, unchanged; a file's error and warning counts are the caller's to take before.
 */
export function capPerRule(messages: LintMessage[], max: number): LintMessage[] {
  if (max <= 0 || messages.length <= max) return messages;
  const seen = new Map<string, number>();
  const hidden = new Map<string, { summary: LintMessage; count: number }>();
  const out: LintMessage[] = [];
  for (const m of messages) {
    const n = (seen.get(m.ruleId) ?? 0) + 1;
    seen.set(m.ruleId, n);
    if (n <= max) {
      out.push(m);
      continue;
    }
    const h = hidden.get(m.ruleId);
    if (h) {
      h.count++;
      if (m.severity > h.summary.severity) h.summary.severity = m.severity;
      continue;
    }
    const summary: LintMessage = {
      ruleId: m.ruleId,
      messageId: MORE_FINDINGS,
      severity: m.severity,
      message: "",
      explanation: "",
      fix: "",
      line: m.line,
      column: m.column,
      endLine: m.endLine,
      endColumn: m.endColumn,
    };
    hidden.set(m.ruleId, { summary, count: 1 });
    out.push(summary);
  }
  for (const { summary, count } of hidden.values()) {
    summary.message = `… and ${thousands(count)} more ${count === 1 ? "finding" : "findings"} of this rule in this file`;
    summary.explanation = `At most ${max} findings per rule are shown in one file; the ${thousands(count)} others start here. The error and warning counts include them.`;
    summary.fix = "Run with `--max-per-rule 0` to show every finding.";
  }
  return out;
}

/** `3900` → `3,900` (without `toLocaleString`, whose first call loads the locale data). */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ",");
}

/** `capPerRule` over a whole report, for findings the engine did not cap (counts unchanged). */
export function capReport(
  report: LintReport,
  max: number,
  fingerprint: (m: LintMessage, filePath: string) => void,
): void {
  for (const r of report.results) {
    const before = r.messages;
    r.messages = capPerRule(before, max);
    if (r.messages !== before)
      for (const m of r.messages) if (m.messageId === MORE_FINDINGS) fingerprint(m, r.filePath);
  }
}
