import { relative } from "node:path";
import type { LintMessage } from "../engine/result.js";
import { docsUrl } from "../engine/rule.js";
import { painter, visible, type Paint } from "./terminal.js";
import type { Formatter } from "./types.js";

/** Width of the verbose explanation and fix text (the code frame keeps its lines). */
const WRAP = 100;
/** Rule ids are aligned as long as that keeps lines within this width. */
const WIDTH = 120;

function wrap(text: string, indent: string, width = WRAP): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/ +/)) {
    if (line !== "" && indent.length + line.length + 1 + word.length > width) {
      out.push(indent + line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") out.push(indent + line);
  return out;
}

/**
 * The finding's source line with a `^~~~` under its range, like actionlint: at most ~120 columns of the
 * line around the start, every control character made visible (the carets count the escaped width).
 */
function codeFrame(source: string | undefined, m: LintMessage, paint: Paint): string[] {
  const text = source?.split(/\r?\n/)[m.line - 1];
  if (text === undefined) return [];
  const line = text.replace(/\t/g, " ");
  const start = Math.max(0, m.column - 1 - 40);
  const end = Math.min(line.length, start + 120);
  const shown = `${start > 0 ? "…" : ""}${line.slice(start, end)}${end < line.length ? "…" : ""}`;
  const lead = visible(`${start > 0 ? "…" : ""}${line.slice(start, m.column - 1)}`).length;
  const last = m.endLine === m.line ? Math.min(m.endColumn - 1, end) : end;
  const width = Math.max(1, visible(line.slice(m.column - 1, last)).length);
  const num = String(m.line);
  return [
    `    ${paint.dim(`${num} |`)} ${shown}`,
    `    ${" ".repeat(num.length)} ${paint.dim("|")} ${" ".repeat(lead)}${paint.red(`^${"~".repeat(width - 1)}`)}`,
  ];
}

/**
 * ESLint-like: findings grouped by file, one line each (position, level, the short message, the rule id
 * aligned); with `verbose`, the code frame, explanation, fix and rule page under each. Every value is
 * printed through `paint.line`, so no control character from a file name or a message reaches the
 * terminal (a newline in a policy value cannot start a `::workflow-command::` line).
 */
export const stylish: Formatter = (report, meta) => {
  const paint = painter(meta.color);
  const out: string[] = [];
  for (const r of report.results) {
    if (r.messages.length === 0) continue;
    out.push("", paint.underline(relative(meta.cwd, r.filePath) || r.filePath));
    const rows = r.messages.map((m) => ({
      m,
      pos: `${m.line}:${m.column}`,
      sev: m.severity === 2 ? "error" : "warning",
      msg: visible(m.message),
    }));
    const w0 = Math.max(...rows.map((x) => x.pos.length));
    const w1 = Math.max(...rows.map((x) => x.sev.length));
    const wId = Math.max(...rows.map((x) => x.m.ruleId.length));
    const w2 = Math.min(Math.max(...rows.map((x) => x.msg.length)), WIDTH - (2 + w0 + 2 + w1 + 2) - 2 - wId);
    const source = meta.verbose ? meta.readSource?.(r.filePath) : undefined;
    for (const { m, pos, sev, msg } of rows) {
      const level = paint[sev === "error" ? "red" : "yellow"](sev.padEnd(w1));
      out.push(`  ${paint.dim(pos.padEnd(w0))}  ${level}  ${msg.padEnd(w2)}  ${paint.dim(m.ruleId)}`);
      if (!meta.verbose) continue;
      out.push(...codeFrame(source, m, paint));
      if (m.explanation) out.push(...wrap(m.explanation, "    "));
      if (m.fix) out.push(...wrap(`Fix: ${m.fix}`, "    "));
      for (const rel of m.related ?? [])
        out.push(
          paint.dim(`    ${relative(meta.cwd, rel.file) || rel.file}:${rel.line}:${rel.column}: ${rel.message}`),
        );
      out.push(paint.dim(`    ${docsUrl(m.ruleId)}`), "");
    }
  }
  const total = report.errorCount + report.warningCount;
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? "" : "s"}`;
  if (total === 0) {
    out.push(`${plural(report.filesLinted, "file")} checked, no problems`);
  } else {
    const withProblems = report.results.filter((r) => r.messages.length > 0).length;
    const summary = `✖ ${plural(total, "problem")} (${plural(report.errorCount, "error")}, ${plural(report.warningCount, "warning")}) in ${withProblems} of ${plural(report.filesLinted, "file")} checked`;
    out.push("", paint.bold(paint[report.errorCount > 0 ? "red" : "yellow"](summary)));
  }
  for (const note of meta.notes ?? []) out.push(paint.yellow(note));
  return `${out.map(paint.line).join("\n")}\n`;
};
