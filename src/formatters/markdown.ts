import type { LintMessage } from "../engine/result.js";
import { docsUrl } from "../engine/rule.js";
import { pathUnderRoot, repositoryRoot } from "./repo-path.js";
import { visible } from "./terminal.js";
import type { Formatter } from "./types.js";

/** At most this many findings are listed (a job summary holds 1 MiB; annotations and SARIF carry them all). */
export const MAX_MARKDOWN_ROWS = 500;

/** A code span holding `s` literally: a fence longer than any backtick run in it, `|` escaped for a table cell. */
function code(s: string): string {
  const text = visible(s).replace(/\|/g, "\\|");
  const fence = "`".repeat(Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Plain text in a table cell: every character Markdown or HTML would act on escaped. */
function plain(s: string): string {
  return visible(s).replace(/[\\`*_{}[\]()<>#+!|~&]/g, (c) => `\\${c}`);
}

/**
 * A message in a table cell: its `…` spans (the values) stay code spans, everything else is plain text, so a
 * value from a linted file can neither close the cell nor inject a link, an image or HTML.
 */
function messageCell(message: string): string {
  return message
    .split("`")
    .map((part, i) => (i % 2 === 1 ? code(part) : plain(part)))
    .join("");
}

function severityText(m: LintMessage): string {
  return m.severity === 2 ? "error" : "warning";
}

/**
 * GitHub-flavoured Markdown for a job summary or a pull-request comment: the totals, a count per rule with
 * links to the rule pages, then the findings (the first 500) with their places relative to the repository root.
 */
export const markdown: Formatter = (report, meta) => {
  const root = repositoryRoot(meta.cwd);
  const total = report.errorCount + report.warningCount;
  const files = `${report.filesLinted} file${report.filesLinted === 1 ? "" : "s"} checked`;
  const out = ["### oidclint", ""];
  if (total === 0) out.push(`No problems (${files}).`);
  else {
    out.push(
      `**${total} problem${total === 1 ? "" : "s"}** (${report.errorCount} error${report.errorCount === 1 ? "" : "s"}, ${report.warningCount} warning${report.warningCount === 1 ? "" : "s"}) — ${files}.`,
      "",
      "| Rule | Errors | Warnings |",
      "| --- | ---: | ---: |",
    );
    const perRule = new Map<string, { errors: number; warnings: number }>();
    for (const m of report.results.flatMap((r) => r.messages)) {
      const c = perRule.get(m.ruleId) ?? { errors: 0, warnings: 0 };
      if (m.severity === 2) c.errors++;
      else c.warnings++;
      perRule.set(m.ruleId, c);
    }
    const ordered = [...perRule].sort(
      (a, b) => b[1].errors - a[1].errors || b[1].warnings - a[1].warnings || a[0].localeCompare(b[0]),
    );
    for (const [id, c] of ordered) out.push(`| [${id}](${docsUrl(id)}) | ${c.errors} | ${c.warnings} |`);
    out.push("", "| Place | Level | Problem | Rule |", "| --- | --- | --- | --- |");
    let rows = 0;
    for (const r of report.results) {
      const file = pathUnderRoot(root, meta.cwd, r.filePath) ?? r.filePath;
      for (const m of r.messages) {
        if (rows++ >= MAX_MARKDOWN_ROWS) continue;
        out.push(
          `| ${code(`${file}:${m.line}:${m.column}`)} | ${severityText(m)} | ${messageCell(m.message)} | [${m.ruleId}](${docsUrl(m.ruleId)}) |`,
        );
      }
    }
    if (rows > MAX_MARKDOWN_ROWS)
      out.push("", `… and ${rows - MAX_MARKDOWN_ROWS} more (all of them are in the annotations and the SARIF log).`);
  }
  for (const r of report.ruleErrors ?? [])
    out.push("", `**Internal error in rule ${plain(r.ruleId)}** (its findings are incomplete): ${plain(r.message)}`);
  for (const note of meta.notes ?? []) out.push("", plain(note));
  return `${out.join("\n")}\n`;
};
