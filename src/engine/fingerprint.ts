import { createHash } from "node:crypto";
import { compareMessages, type LintMessage } from "./result.js";

/** Line numbers inside a message (`line 15`, `file.tf:6`, `6:3`) change when unrelated lines move. */
const LINE_NUMBERS = /\blines? \d+|:\d+(?::\d+)?\b/g;

/** The source text between a finding's start and end, whitespace collapsed (its start line when the range is empty). */
function locatedText(lines: string[], m: LintMessage): string {
  const first = lines[m.line - 1] ?? "";
  let text: string;
  if (m.endLine < m.line || (m.endLine === m.line && m.endColumn <= m.column)) text = first.slice(m.column - 1);
  else if (m.endLine === m.line) text = first.slice(m.column - 1, m.endColumn - 1);
  else
    text = [
      first.slice(m.column - 1),
      ...lines.slice(m.line, m.endLine - 1),
      (lines[m.endLine - 1] ?? "").slice(0, m.endColumn - 1),
    ].join("\n");
  return text.replace(/\s+/g, " ").trim().slice(0, 2000);
}

/**
 * Sets each message's `fingerprint`: a hash of the rule, the message id, the file (as the caller names it:
 * relative to the repository root), the located source text, the message without line numbers, and the
 * count of equal keys before it in the file. Moving unrelated lines keeps it; two findings at one place
 * with different messages (two triggers of one job) differ.
 */
export function addFingerprints(messages: LintMessage[], file: string, text: string): void {
  if (messages.length === 0) return;
  const lines = text.split(/\r?\n/);
  const seen = new Map<string, number>();
  for (const m of [...messages].sort(compareMessages)) {
    const key = [m.ruleId, m.messageId, file, locatedText(lines, m), m.message.replace(LINE_NUMBERS, "")].join("\0");
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    m.fingerprint = createHash("sha256").update(`${key}\0${n}`).digest("hex").slice(0, 32);
  }
}
