import type { LintMessage } from "./result.js";
import { fillMessageText, type MessageTemplate } from "./rule.js";
import { commentSyntaxOf, type CommentSyntax } from "../parsers/formats.js";

/**
 * Inline suppressions in YAML and Python (`#`), HCL (`#`, `//`, `/* … *\/`) and TypeScript/JavaScript
 * (`//`, `/* … *\/`; a `#` there is no comment, so the directive's position must be a real comment) comments:
 *   # oidclint-disable-next-line <id>[, <id>] -- reason
 *   # oidclint-disable <id>[, <id>] -- reason   …   # oidclint-enable [<id>]
 * Without ids, every rule is meant. `oidclint-enable <id>` ends the suppression of that id only, even
 * inside an all-rules block; a bare `oidclint-enable` ends every open block. JSON has no comments: use
 * `overrides` in the config there.
 */
export interface Suppression {
  kind: "next-line" | "block";
  /** One rule id, or `*` for all rules (a comment naming several ids yields one entry per id). */
  ruleId: string;
  reason?: string;
  /** Line and columns of the comment (the directive's `#`, `//` or `/*`). */
  line: number;
  column: number;
  endColumn: number;
  /** Lines covered, inclusive. */
  from: number;
  to: number;
  /** For an all-rules block: where `oidclint-enable <id>` ended it for single ids. */
  endsFor?: Map<string, number>;
}

export const ALL_RULES = "*";

/** A directive after one of the language's comment markers (the format registry's `COMMENT_SYNTAXES`). */
function directiveFor(syntax: CommentSyntax): RegExp {
  const markers = syntax.markers.map((m) => m.replace(/[/*]/g, "\\$&")).join("|");
  return new RegExp(`(?:^|\\s)(${markers})\\s*oidclint-(disable-next-line|disable|enable)(?![\\w-])([^\\n]*)`);
}

/** `a, b c -- why` → ids `[a, b, c]`, reason `why`. */
export function parseDirectiveArgs(rest: string): { ids: string[]; reason?: string } {
  const text = rest.replace(/\*\/.*$/, "").trim();
  const sep = /(?:^|\s)--(?:\s|$)/.exec(text);
  const idsPart = sep ? text.slice(0, sep.index) : text;
  const reason = sep ? text.slice(sep.index + sep[0].length).trim() : "";
  const ids = idsPart
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return reason ? { ids, reason } : { ids };
}

export function collectSuppressions(file: string, text: string): Suppression[] {
  if (!text.includes("oidclint-")) return [];
  const syntax = commentSyntaxOf(file);
  if (!syntax) return [];
  const directive = directiveFor(syntax);
  const out: Suppression[] = [];
  let open: Suppression[] = [];
  const lines = text.split("\n");
  const comments = syntax.commentStarts(text);
  let lineOffset = 0;
  lines.forEach((lineText, i) => {
    const lineStart = lineOffset;
    lineOffset += lineText.length + 1;
    if (!lineText.includes("oidclint-")) return;
    const m = directive.exec(lineText);
    if (!m?.[1] || !m[2]) return;
    const line = i + 1;
    const column = m.index + m[0].indexOf(m[1]) + 1;
    // Only a real comment is a directive: not a quoted string, a block scalar's script, or a heredoc.
    if (!comments.has(lineStart + column - 1)) return;
    const { ids, reason } = parseDirectiveArgs(m[3] ?? "");
    const endColumn = m.index + m[0].trimEnd().length + 1;
    const base = { line, column, endColumn, ...(reason ? { reason } : {}) };
    const targets = ids.length > 0 ? ids : [ALL_RULES];
    if (m[2] === "disable-next-line") {
      for (const ruleId of targets) out.push({ ...base, kind: "next-line", ruleId, from: line + 1, to: line + 1 });
    } else if (m[2] === "disable") {
      for (const ruleId of targets) {
        const s: Suppression = { ...base, kind: "block", ruleId, from: line, to: lines.length };
        open.push(s);
        out.push(s);
      }
    } else if (ids.length === 0) {
      for (const s of open) s.to = line;
      open = [];
    } else {
      open = open.filter((s) => {
        if (s.ruleId === ALL_RULES) {
          s.endsFor ??= new Map();
          for (const id of ids) if (!s.endsFor.has(id)) s.endsFor.set(id, line);
          return true;
        }
        if (!ids.includes(s.ruleId)) return true;
        s.to = line;
        return false;
      });
    }
  });
  return out;
}

function covers(s: Suppression, m: LintMessage): boolean {
  if (m.ruleId === "unused-suppression") return false;
  if (s.ruleId !== ALL_RULES && s.ruleId !== m.ruleId) return false;
  const to = s.endsFor?.get(m.ruleId) ?? s.to;
  return m.line >= s.from && m.line <= to;
}

export interface SuppressionOptions {
  /** Severity of `unused-suppression` findings for this file (0 = off). */
  unusedSeverity: 0 | 1 | 2;
  requireReason: boolean;
  /** The `unused-suppression` rule's message templates. */
  messages: Record<string, MessageTemplate>;
  /** Rule ids that exist; a suppression naming another id is reported as such. */
  knownRuleIds?: ReadonlySet<string>;
}

/**
 * Removes suppressed messages and adds `unused-suppression` for each rule id of a comment that silenced
 * nothing (and, when the config requires a reason, for each comment without one: such a comment suppresses
 * nothing). When several
 * suppressions cover one finding, the narrowest (next-line, then a named id) is the one that was used.
 */
export function applySuppressions(
  messages: LintMessage[],
  suppressions: Suppression[],
  opts: SuppressionOptions,
): LintMessage[] {
  const used = new Set<Suppression>();
  // Where the config requires a reason, a suppression without one does not suppress (it is reported below).
  const effective = opts.requireReason ? suppressions.filter((s) => s.reason) : suppressions;
  const ranked = [...effective].sort((a, b) => rank(a) - rank(b));
  const kept = messages.filter((m) => {
    const hit = ranked.find((s) => covers(s, m));
    if (!hit) return true;
    used.add(hit);
    return false;
  });
  if (opts.unusedSeverity === 0) return kept;
  const make = (s: Suppression, messageId: string, ruleId: string): LintMessage => ({
    ruleId: "unused-suppression",
    messageId,
    severity: opts.unusedSeverity as 1 | 2,
    ...fillMessageText(opts.messages[messageId], messageId, { ruleId }),
    line: s.line,
    column: s.column,
    endLine: s.line,
    endColumn: s.endColumn,
  });
  const reasonReported = new Set<number>();
  for (const s of suppressions) {
    if (opts.requireReason && !s.reason) {
      if (reasonReported.has(s.line)) continue;
      reasonReported.add(s.line);
      const named = suppressions
        .filter((x) => x.line === s.line)
        .map((x) => (x.ruleId === ALL_RULES ? "all rules" : x.ruleId));
      kept.push(make(s, "missingReason", named.join(", ")));
      continue;
    }
    if (used.has(s)) {
      // fine
    } else if (
      s.ruleId !== ALL_RULES &&
      opts.knownRuleIds &&
      !opts.knownRuleIds.has(s.ruleId) &&
      opts.messages.unknownRule
    ) {
      kept.push(make(s, "unknownRule", s.ruleId));
    } else {
      kept.push(make(s, "unused", s.ruleId === ALL_RULES ? "all rules" : s.ruleId));
    }
  }
  return kept;
}

function rank(s: Suppression): number {
  return (s.kind === "next-line" ? 0 : 2) + (s.ruleId === ALL_RULES ? 1 : 0);
}
