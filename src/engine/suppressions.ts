import type { LintMessage } from "./result.js";
import { fillMessage } from "./rule.js";

/**
 * Inline suppressions in YAML and HCL comments (`#` or `//`):
 *   # oidclint-disable-next-line <id>[, <id>] -- reason
 *   # oidclint-disable <id>[, <id>] -- reason   …   # oidclint-enable <id>
 * Without ids, every rule is meant. JSON has no comments: use `overrides` in the config there.
 */
export interface Suppression {
  kind: "next-line" | "block";
  /** Rule ids; empty = all rules. */
  ruleIds: string[];
  reason?: string;
  /** Line and column of the comment. */
  line: number;
  column: number;
  endColumn: number;
  /** Lines covered, inclusive. */
  from: number;
  to: number;
}

const DIRECTIVE = /(?:#|\/\/)\s*oidclint-(disable-next-line|disable|enable)\b([^\n]*)/g;

function parseIds(rest: string): { ids: string[]; reason?: string } {
  const [idsPart = "", ...reasonParts] = rest.split(/\s--\s?/);
  const reason = reasonParts.join(" -- ").trim();
  const ids = idsPart
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return reason ? { ids, reason } : { ids };
}

export function collectSuppressions(file: string, text: string): Suppression[] {
  if (!text.includes("oidclint-")) return [];
  if (!/\.(ya?ml|tf|tfvars|hcl)$/.test(file)) return [];
  const out: Suppression[] = [];
  const open: Suppression[] = [];
  const lines = text.split("\n");
  const totalLines = lines.length;
  lines.forEach((lineText, i) => {
    const line = i + 1;
    DIRECTIVE.lastIndex = 0;
    const m = DIRECTIVE.exec(lineText);
    if (!m) return;
    const kind = m[1];
    const { ids, reason } = parseIds(m[2] ?? "");
    const base = { ruleIds: ids, line, column: m.index + 1, endColumn: m.index + 1 + m[0].trimEnd().length, ...(reason ? { reason } : {}) };
    if (kind === "disable-next-line") out.push({ ...base, kind: "next-line", from: line + 1, to: line + 1 });
    else if (kind === "disable") {
      const s: Suppression = { ...base, kind: "block", from: line, to: totalLines };
      open.push(s);
      out.push(s);
    } else {
      // enable: closes the open blocks it names (all, when it names none).
      for (const s of open.splice(0)) {
        const closes = ids.length === 0 || s.ruleIds.length === 0 || s.ruleIds.some((id) => ids.includes(id));
        if (closes) s.to = line;
        else open.push(s);
      }
    }
  });
  return out;
}

export interface SuppressionOptions {
  /** Severity of `unused-suppression` findings for this file (0 = off). */
  unusedSeverity: 0 | 1 | 2;
  requireReason: boolean;
  messages: Record<string, string>;
}

/** Removes suppressed messages and adds `unused-suppression` for each rule id that silenced nothing. */
export function applySuppressions(messages: LintMessage[], suppressions: Suppression[], opts: SuppressionOptions): LintMessage[] {
  const used = new Set<string>();
  const kept = messages.filter((m) => {
    const hit = suppressions.find(
      (s) => m.line >= s.from && m.line <= s.to && (s.ruleIds.length === 0 || s.ruleIds.includes(m.ruleId)) && m.ruleId !== "unused-suppression",
    );
    if (!hit) return true;
    const ids = hit.ruleIds.length === 0 ? ["*"] : [m.ruleId];
    for (const id of ids) used.add(`${hit.line}:${id}`);
    return false;
  });
  if (opts.unusedSeverity === 0) return kept;
  const make = (s: Suppression, messageId: string, ruleId: string): LintMessage => ({
    ruleId: "unused-suppression",
    messageId,
    severity: opts.unusedSeverity as 1 | 2,
    message: fillMessage(opts.messages[messageId] ?? messageId, { ruleId }),
    line: s.line,
    column: s.column,
    endLine: s.line,
    endColumn: s.endColumn,
  });
  for (const s of suppressions) {
    const ids = s.ruleIds.length === 0 ? ["*"] : s.ruleIds;
    for (const id of ids) {
      if (!used.has(`${s.line}:${id}`)) kept.push(make(s, "unused", id === "*" ? "all rules" : id));
    }
    if (opts.requireReason && !s.reason) kept.push(make(s, "missingReason", ids.join(", ")));
  }
  return kept;
}
