import { compareText } from "./collate.js";
import type { LintReport } from "./result.js";

/**
 * A baseline: the findings a repository has accepted for now (`--write-baseline FILE`), recorded by their
 * fingerprints (see fingerprint.ts), so that `--baseline FILE` reports only findings that are new. Rule,
 * file, line and message are kept for people reading the file; only the fingerprint is compared.
 */
export interface Baseline {
  oidclintBaseline: 1;
  findings: { fingerprint: string; ruleId: string; file: string; line: number; message: string }[];
}

export class BaselineError extends Error {}

export function baselineOf(report: LintReport, fileName: (abs: string) => string): Baseline {
  const findings: Baseline["findings"] = [];
  for (const r of report.results) {
    for (const m of r.messages) {
      if (m.fingerprint)
        findings.push({
          fingerprint: m.fingerprint,
          ruleId: m.ruleId,
          file: fileName(r.filePath),
          line: m.line,
          message: m.message,
        });
    }
  }
  findings.sort((a, b) => compareText(a.file, b.file) || a.line - b.line || compareText(a.fingerprint, b.fingerprint));
  return { oidclintBaseline: 1, findings };
}

export function parseBaseline(text: string, name: string): Set<string> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new BaselineError(`${name} is not valid JSON (${(e as Error).message})`);
  }
  const findings = (data as Partial<Baseline> | null)?.findings;
  if ((data as Partial<Baseline> | null)?.oidclintBaseline !== 1 || !Array.isArray(findings)) {
    throw new BaselineError(`${name} is not an oidclint baseline (write one with --write-baseline ${name})`);
  }
  return new Set(
    findings.map((f) => (f as { fingerprint?: unknown }).fingerprint).filter((f): f is string => typeof f === "string"),
  );
}

/** The report without the findings the baseline records; returns how many were left out. */
export function applyBaseline(report: LintReport, known: ReadonlySet<string>): number {
  let hidden = 0;
  for (const r of report.results) {
    const before = r.messages.length;
    r.messages = r.messages.filter((m) => !(m.fingerprint && known.has(m.fingerprint)));
    hidden += before - r.messages.length;
    r.errorCount = r.messages.filter((m) => m.severity === 2).length;
    r.warningCount = r.messages.filter((m) => m.severity === 1).length;
  }
  report.errorCount = report.results.reduce((n, r) => n + r.errorCount, 0);
  report.warningCount = report.results.reduce((n, r) => n + r.warningCount, 0);
  return hidden;
}
