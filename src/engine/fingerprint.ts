import { compareMessages, MORE_FINDINGS, type LintMessage } from "./result.js";
import { sha256 } from "./sha256.js";
import { LineIndex } from "../model/location.js";

/** Line numbers inside a message (`line 15`, `file.tf:6`, `6:3`) change when unrelated lines move. */
const LINE_NUMBERS = /\blines? \d+|:\d+(?::\d+)?\b/g;

/** The source text between a finding's start and end, whitespace collapsed (its start line when the range is empty). */
function locatedText(lines: LineIndex, m: LintMessage): string {
  const first = lines.lineText(m.line);
  let text: string;
  if (m.endLine < m.line || (m.endLine === m.line && m.endColumn <= m.column)) text = first.slice(m.column - 1);
  else if (m.endLine === m.line) text = first.slice(m.column - 1, m.endColumn - 1);
  else {
    const parts = [first.slice(m.column - 1)];
    for (let line = m.line + 1; line < m.endLine; line++) parts.push(lines.lineText(line));
    parts.push(lines.lineText(m.endLine).slice(0, m.endColumn - 1));
    text = parts.join("\n");
  }
  return collapsed(text);
}

/** At most this many characters of a finding's located text go into its fingerprint. */
const LOCATED_TEXT_LENGTH = 2000;

/**
 * `text` with blanks collapsed and trimmed, cut to `LOCATED_TEXT_LENGTH`. Of a long text (the rest of a minified
 * line after an empty range) a head is collapsed first: when it gives that many characters they are the same
 * (a head's collapsed text is a prefix of the whole's), and thousands of findings on one line cost no more than
 * their own place each.
 */
function collapsed(text: string): string {
  const collapse = (s: string): string => s.replace(/\s+/g, " ").trim();
  if (text.length > 4 * LOCATED_TEXT_LENGTH) {
    const head = collapse(text.slice(0, 4 * LOCATED_TEXT_LENGTH));
    if (head.length >= LOCATED_TEXT_LENGTH) return head.slice(0, LOCATED_TEXT_LENGTH);
  }
  return collapse(text).slice(0, LOCATED_TEXT_LENGTH);
}

/**
 * Sets each message's `fingerprint`: a hash of the rule, the message id, the file (as the caller names it:
 * relative to the repository root), the located source text, the message without line numbers, and the
 * count of equal keys before it in the file. Moving unrelated lines keeps it; two findings at one place
 * with different messages (two triggers of one job) differ.
 */
export function addFingerprints(messages: LintMessage[], file: string, text: string): void {
  if (messages.length === 0) return;
  // Only the lines of the file's findings are found (`LineIndex` reads the text as far as asked).
  const lines = new LineIndex(file, text);
  const seen = new Map<string, number>();
  for (const m of [...messages].sort(compareMessages)) {
    if (m.messageId === MORE_FINDINGS) {
      m.fingerprint = moreFindingsFingerprint(m.ruleId, file);
      continue;
    }
    const key = [m.ruleId, m.messageId, file, locatedText(lines, m), m.message.replace(LINE_NUMBERS, "")].join("\0");
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    m.fingerprint = sha256(`${key}\0${n}`).slice(0, 32);
  }
}

/**
 * The summary of a rule's findings beyond the per-rule cap (`capPerRule`): one per rule and file, whatever
 * its count and place (both change when other findings are fixed).
 */
export function moreFindingsFingerprint(ruleId: string, file: string): string {
  return sha256(`${ruleId}\0${MORE_FINDINGS}\0${file}`).slice(0, 32);
}
