import type { ExpressionType } from "@cdktf/hcl2json/lib/syntax-tree.js";
import type { SourceLocation } from "../../model/location.js";

/**
 * The `@cdktf/hcl2json` bridge. Importing it instantiates a Go WebAssembly module (~150 ms), so it is
 * imported on first use only, i.e. only when a `.tf` file is worth parsing.
 */
interface Hcl2Json {
  parse(filename: string, contents: string): Promise<Record<string, unknown>>;
  getExpressionAst(filename: string, expression: string): Promise<ExpressionType | null>;
}

export type { ExpressionType as HclAst };

let loaded: Promise<Hcl2Json> | undefined;

function hcl2json(): Promise<Hcl2Json> {
  loaded ??= import("@cdktf/hcl2json").then((m) => {
    const mod = m as unknown as Hcl2Json & { default?: Hcl2Json };
    return typeof mod.parse === "function" ? mod : (mod.default as Hcl2Json);
  });
  return loaded;
}

/** HCL diagnostics read `file:LINE,COL-…: Summary; Detail`. */
const DIAGNOSTIC = /:(\d+),(\d+)(?:-(?:(\d+),)?(\d+))?: ([^;\]]+)(?:; ([^\]]*?))?(?:, and \d+ other diagnostic\(s\))?(?:\s*\]|$)/;

/** Validates a whole file with HCL's own parser. Returns the first syntax error, if any. */
export async function hclSyntaxError(file: string, text: string): Promise<{ message: string; loc: SourceLocation } | undefined> {
  const h = await hcl2json();
  try {
    await h.parse(file, text);
    return undefined;
  } catch (e) {
    const raw = e instanceof Error ? e.message : String(e);
    const m = DIAGNOSTIC.exec(raw);
    if (!m) return { message: `Terraform syntax error: ${raw.replace(/^parse config: /, "")}`, loc: { file, line: 1, column: 1, endLine: 1, endColumn: 1 } };
    const line = Number(m[1]);
    const column = Number(m[2]);
    const endLine = m[3] ? Number(m[3]) : line;
    const endColumn = m[4] ? Number(m[4]) : column;
    const summary = (m[5] ?? "").trim();
    const detail = (m[6] ?? "").trim();
    return {
      message: `Terraform syntax error: ${summary}${detail ? ` (${detail.replace(/\.$/, "")})` : ""}. oidclint cannot check the policies of this file until it parses.`,
      loc: { file, line, column, endLine, endColumn },
    };
  }
}

/** Parses one expression; the AST's byte offsets are relative to `expression`. Null when it does not parse. */
export async function expressionAst(file: string, expression: string): Promise<ExpressionType | null> {
  const h = await hcl2json();
  try {
    return await h.getExpressionAst(file, expression);
  } catch {
    return null;
  }
}

/** Maps the UTF-8 byte offsets hcl2json reports to string indices of `text`. */
export function byteOffsets(text: string): (byte: number) => number {
  if (/^[\x00-\x7f]*$/.test(text)) return (b) => b;
  const starts: number[] = [];
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    starts.push(bytes);
    const code = text.codePointAt(i) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (code >= 0x10000) {
      starts.push(bytes);
      i++;
    }
  }
  starts.push(bytes);
  return (b) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= b) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
}
