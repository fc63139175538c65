import { pathUnderRoot, repositoryRoot } from "./repo-path.js";
import { visible } from "./terminal.js";
import type { Formatter } from "./types.js";

/**
 * Escaping of a workflow command's message (the part after `::`): the runner's `%`, CR and LF escapes,
 * and every other control character made visible (an ESC would otherwise reach the log viewer).
 */
export function escapeData(s: string): string {
  return visible(s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A"));
}

/** Escaping of a workflow command's property value: the message escapes plus `:` and `,`. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/**
 * GitHub Actions workflow commands, one per finding, which the runner turns into annotations on the
 * pull request: `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=<rule id>::<message>`.
 * Paths are relative to the repository root (the workspace), where GitHub looks for them.
 */
export const github: Formatter = (report, meta) => {
  const root = repositoryRoot(meta.cwd);
  const out: string[] = [];
  for (const r of report.results) {
    const file = pathUnderRoot(root, meta.cwd, r.filePath) ?? r.filePath;
    for (const m of r.messages) {
      const props = [`file=${escapeProperty(file)}`, `line=${m.line}`, `col=${m.column}`];
      if (m.endLine > m.line || (m.endLine === m.line && m.endColumn > m.column))
        props.push(`endLine=${m.endLine}`, `endColumn=${m.endColumn}`);
      props.push(`title=${escapeProperty(m.ruleId)}`);
      out.push(`::${m.severity === 2 ? "error" : "warning"} ${props.join(",")}::${escapeData(m.message)}`);
    }
  }
  return out.length > 0 ? `${out.join("\n")}\n` : "";
};
