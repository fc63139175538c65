import { relative } from "node:path";
import type { Formatter } from "./types.js";

const codes = { red: 31, yellow: 33, dim: 2, bold: 1, underline: 4 } as const;

/** ESLint-like: findings grouped by file, aligned columns, a summary line; colour only when asked. */
export const stylish: Formatter = (report, meta) => {
  const paint = (style: keyof typeof codes, s: string): string => (meta.color ? `\u001b[${codes[style]}m${s}\u001b[0m` : s);
  const out: string[] = [];
  for (const r of report.results) {
    if (r.messages.length === 0) continue;
    out.push("", paint("underline", relative(meta.cwd, r.filePath) || r.filePath));
    const rows = r.messages.map((m) => [`${m.line}:${m.column}`, m.severity === 2 ? "error" : "warning", m.message, m.ruleId] as const);
    const w0 = Math.max(...rows.map((x) => x[0].length));
    const w1 = Math.max(...rows.map((x) => x[1].length));
    for (const [pos, sev, msg, id] of rows) {
      const level = paint(sev === "error" ? "red" : "yellow", sev.padEnd(w1));
      out.push(`  ${paint("dim", pos.padEnd(w0))}  ${level}  ${msg}  ${paint("dim", id)}`);
    }
  }
  const total = report.errorCount + report.warningCount;
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? "" : "s"}`;
  if (total === 0) {
    out.push(`${plural(report.filesLinted, "file")} checked, no problems`);
    return `${out.join("\n")}\n`;
  }
  const withProblems = report.results.filter((r) => r.messages.length > 0).length;
  const summary = `✖ ${plural(total, "problem")} (${plural(report.errorCount, "error")}, ${plural(report.warningCount, "warning")}) in ${withProblems} of ${plural(report.filesLinted, "file")} checked`;
  out.push("", paint("bold", paint(report.errorCount > 0 ? "red" : "yellow", summary)));
  return `${out.join("\n")}\n`;
};
