import { LineIndex, type SourceLocation } from "../../model/location.js";

/**
 * PyYAML, which cfn-lint, the SAM CLI and CloudFormation's own tooling use, does not check indentation
 * inside a flow collection: a `!If [Cond, [ … ]` whose continuation lines (or closing `]`) sit at or left
 * of the key that holds it is accepted there. The `yaml` package refuses it ("must be sufficiently
 * indented"). Inside a flow collection whitespace at a line start carries no meaning (it is folded away,
 * even in a quoted scalar), so such lines are indented until they are inside their key, and positions are
 * mapped back to the text as written. PyYAML also reads a lone `-` item in a flow collection (`!Split [ -, … ]`)
 * as the string "-", which `yaml` refuses as a block entry: such an item is quoted (`'-'`) and its position
 * mapped back too. Anything else wrong stays an error.
 */
export function indentFlowContinuations(
  text: string,
): { text: string; inserted: Map<number, number>; quoted: Map<number, number[]> } | undefined {
  const inserted = new Map<number, number>();
  /** Per line, the output columns (1-based) where a lone `-` was written as `'-'`. */
  const quoted = new Map<number, number[]>();
  /** In a flow collection, the last character outside spaces (decides whether a `-` is a lone item). */
  let flowPrevious = "";
  let out = "";
  let depth = 0;
  /** Indentation of the line on which the outermost open flow collection began. */
  let baseIndent = 0;
  let line = 1;
  let lineStart = 0;
  let quote: '"' | "'" | undefined;
  /** The last character of the line outside spaces, in block context (decides whether `[` opens a flow). */
  let previous = "";
  let tag = false;
  const indentOf = (start: number): number => {
    let i = start;
    while (text.charCodeAt(i) === 32) i++;
    return i - start;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (i === lineStart && depth > 0 && quote === undefined) {
      const indent = indentOf(i);
      const next = text.charAt(i + indent);
      if (indent <= baseIndent && next !== "\n" && next !== "\r" && next !== "#") {
        const add = baseIndent + 1 - indent;
        out += " ".repeat(add);
        inserted.set(line, add);
      }
    }
    out += c;
    if (c === "\n") {
      line++;
      lineStart = i + 1;
      if (depth === 0) previous = "";
      tag = false;
      continue;
    }
    if (quote) {
      if (quote === '"' && c === "\\") {
        out += text.charAt(i + 1);
        i++;
      } else if (c === quote) {
        if (quote === "'" && text.charAt(i + 1) === "'") {
          out += "'";
          i++;
        } else quote = undefined;
      }
      continue;
    }
    if (c === "#" && (i === 0 || /\s/.test(text.charAt(i - 1)))) {
      // A comment: copy to the end of the line.
      const end = text.indexOf("\n", i);
      const stop = end < 0 ? text.length : end;
      out += text.slice(i + 1, stop);
      i = stop - 1;
      continue;
    }
    if (depth > 0) {
      if (
        c === "-" &&
        (flowPrevious === "[" || flowPrevious === ",") &&
        /^[ \t]*[,\]]/.test(text.slice(i + 1, i + 40))
      ) {
        out = `${out.slice(0, -1)}'-'`;
        const column = out.length - out.lastIndexOf("\n", out.length - 1) - 3;
        quoted.set(line, [...(quoted.get(line) ?? []), column]);
      } else if (c === '"' || c === "'") quote = c;
      else if (c === "[" || c === "{") depth++;
      else if (c === "]" || c === "}") depth--;
      if (c !== " " && c !== "\t" && c !== "\r") flowPrevious = c;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      if (tag) tag = false;
      continue;
    }
    if (tag) continue;
    if (c === "!" && (previous === "" || previous === ":" || previous === "-")) {
      tag = true;
      continue;
    }
    if ((c === "[" || c === "{") && (previous === "" || previous === ":" || previous === "-")) {
      depth = 1;
      flowPrevious = c;
      baseIndent = indentOf(lineStart);
      continue;
    }
    if ((c === '"' || c === "'") && (previous === "" || previous === ":" || previous === "-")) quote = c;
    previous = c;
  }
  return inserted.size > 0 || quoted.size > 0 ? { text: out, inserted, quoted } : undefined;
}

/** Positions in re-indented text reported as positions in the text as written. */
export class ReindentedIndex extends LineIndex {
  constructor(
    file: string,
    text: string,
    private readonly inserted: Map<number, number>,
    private readonly quoted: Map<number, number[]> = new Map(),
  ) {
    super(file, text);
  }

  override position(offset: number): { line: number; column: number } {
    const p = super.position(offset);
    let column = p.column;
    const quoted = this.quoted.get(p.line) ?? [];
    for (let k = quoted.length - 1; k >= 0; k--) {
      const q = quoted[k] ?? 0;
      if (column >= q + 3) column -= 2;
      else if (column > q) column = q;
    }
    const add = this.inserted.get(p.line) ?? 0;
    return { line: p.line, column: Math.max(1, column - add) };
  }

  /** Through the mapped positions (the base class computes spans without `position`). */
  override span(start: number, end: number): SourceLocation {
    const a = this.position(start);
    const b = this.position(Math.max(start, end));
    return { file: this.file, line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }
}
