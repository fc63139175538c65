import type { HclBody, HclLabel } from "../hcl-body.js";

/**
 * Where things are in an HCL file, leniently: block headers, attribute names and the source span of
 * each attribute's expression. `../hcl-body.ts` parses files strictly (expressions included); this scanner
 * is the fallback for a file that parser refuses but `@cdktf/hcl2json` accepts, whose expressions are
 * then parsed by hcl2json one by one. It only skips over what it does not need (strings, heredocs,
 * comments, brackets); syntax errors are hcl2json's to report.
 */

const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_-]/;
const HEREDOC = /^<<(-?)([A-Za-z_][A-Za-z0-9_-]*)\r?\n/;
/** Nesting beyond this is not walked (a file of 10,000 `{` must not blow the stack). */
const MAX_BLOCK_DEPTH = 64;

export function scanHcl(text: string): HclBody {
  return new Scanner(text).body(0, false).body;
}

class Scanner {
  private i = 0;

  constructor(private readonly text: string) {}

  body(depth: number, closing: boolean): { body: HclBody } {
    const body: HclBody = { attributes: [], blocks: [] };
    const t = this.text;
    while (this.i < t.length) {
      this.skipBlank(true);
      const c = t[this.i];
      if (c === undefined) break;
      if (c === "}") {
        this.i++;
        if (closing) return { body };
        continue;
      }
      if (!IDENT_START.test(c)) {
        this.skipLine();
        continue;
      }
      const nameStart = this.i;
      const name = this.ident();
      this.skipBlank(false);
      if (t[this.i] === "=" && t[this.i + 1] !== "=") {
        this.i++;
        this.skipBlank(false);
        const exprStart = this.i;
        const exprEnd = this.expressionEnd();
        body.attributes.push({ name, nameStart, exprStart, exprEnd });
        continue;
      }
      const labels: HclLabel[] = [];
      for (;;) {
        const d = t[this.i];
        if (d === '"') {
          const start = this.i;
          const end = this.skipString(this.i);
          labels.push({ value: decodeLabel(t.slice(start + 1, end - 1)), start });
          this.i = end;
        } else if (d !== undefined && IDENT_START.test(d)) {
          const start = this.i;
          labels.push({ value: this.ident(), start });
        } else break;
        this.skipBlank(false);
      }
      if (t[this.i] !== "{") {
        this.skipLine();
        continue;
      }
      this.i++;
      if (depth >= MAX_BLOCK_DEPTH) {
        this.i = this.expressionEndFrom(this.i - 1);
        continue;
      }
      const inner = this.body(depth + 1, true);
      body.blocks.push({ type: name, typeStart: nameStart, labels, body: inner.body, end: this.i });
    }
    return { body };
  }

  private ident(): string {
    const start = this.i;
    while (this.i < this.text.length && IDENT_CHAR.test(this.text[this.i] ?? "")) this.i++;
    return this.text.slice(start, this.i);
  }

  /** Skips spaces, tabs and comments; newlines too when `newlines`. */
  private skipBlank(newlines: boolean): void {
    const t = this.text;
    while (this.i < t.length) {
      const c = t[this.i];
      if (c === " " || c === "\t" || c === "\r" || (newlines && c === "\n")) this.i++;
      else if (c === "#" || (c === "/" && t[this.i + 1] === "/")) {
        if (!newlines) return;
        this.skipLine();
      } else if (c === "/" && t[this.i + 1] === "*") {
        const end = t.indexOf("*/", this.i + 2);
        this.i = end < 0 ? t.length : end + 2;
      } else return;
    }
  }

  private skipLine(): void {
    const nl = this.text.indexOf("\n", this.i);
    this.i = nl < 0 ? this.text.length : nl + 1;
  }

  /** End of the expression starting at `this.i`: the newline (or closing brace) at bracket depth 0. */
  private expressionEnd(): number {
    const end = this.expressionEndFrom(this.i);
    let trimmed = end;
    while (trimmed > this.i && /\s/.test(this.text[trimmed - 1] ?? "")) trimmed--;
    this.i = end;
    return trimmed;
  }

  private expressionEndFrom(from: number): number {
    const t = this.text;
    let depth = 0;
    let i = from;
    while (i < t.length) {
      const c = t[i];
      if (c === '"') {
        i = this.skipString(i);
        continue;
      }
      if (c === "<" && t[i + 1] === "<") {
        const end = this.skipHeredoc(i);
        if (end > i) {
          i = end;
          continue;
        }
      }
      if (c === "#" || (c === "/" && t[i + 1] === "/")) {
        if (depth === 0) return i;
        const nl = t.indexOf("\n", i);
        i = nl < 0 ? t.length : nl;
        continue;
      }
      if (c === "/" && t[i + 1] === "*") {
        const end = t.indexOf("*/", i + 2);
        i = end < 0 ? t.length : end + 2;
        continue;
      }
      if (c === "(" || c === "[" || c === "{") depth++;
      else if (c === ")" || c === "]" || c === "}") {
        if (depth === 0) return i;
        depth--;
      } else if (c === "\n" && depth === 0) return i;
      i++;
    }
    return i;
  }

  /** Offset after the quoted template starting at `from` (its `${…}` interpolations included). */
  skipString(from: number): number {
    const t = this.text;
    let i = from + 1;
    while (i < t.length) {
      const c = t[i];
      if (c === "\\") i += 2;
      else if (c === '"') return i + 1;
      else if (c === "\n") return i;
      else if ((c === "$" || c === "%") && t[i + 1] === "{") {
        if (t[i - 1] === c && t[i - 2] !== c) {
          i += 2;
          continue;
        }
        i = this.skipInterpolation(i + 2);
      } else i++;
    }
    return i;
  }

  /** Offset after the `}` closing an interpolation whose content starts at `from`. */
  private skipInterpolation(from: number): number {
    const t = this.text;
    let depth = 0;
    let i = from;
    while (i < t.length) {
      const c = t[i];
      if (c === '"') {
        i = this.skipString(i);
        continue;
      }
      if (c === "{") depth++;
      else if (c === "}") {
        if (depth === 0) return i + 1;
        depth--;
      } else if (c === "\n" && depth === 0) return i;
      i++;
    }
    return i;
  }

  /** Offset after a heredoc's closing marker line; `from` itself when `from` does not start a heredoc. */
  private skipHeredoc(from: number): number {
    const m = HEREDOC.exec(this.text.slice(from, from + 200));
    if (!m?.[2]) return from;
    const marker = m[2];
    let i = from + m[0].length;
    const t = this.text;
    while (i < t.length) {
      const nl = t.indexOf("\n", i);
      const lineEnd = nl < 0 ? t.length : nl;
      if (t.slice(i, lineEnd).trim() === marker) return lineEnd;
      i = lineEnd + 1;
    }
    return t.length;
  }
}

function decodeLabel(raw: string): string {
  return raw.replace(/\\(.)/g, "$1");
}
