import type { LineIndex, SourceLocation } from "../../../model/location.js";
import type { HclSyntaxProblem } from "../hcl-expression.js";
import { UNCLOSED_BLOCK, type HclResult } from "../hcl-body.js";
import { hclSyntaxError, unclosedBlockError } from "./bridge.js";
import { scanHcl } from "./scan.js";

export { expressionAst } from "./bridge.js";

/**
 * The `@cdktf/hcl2json` fallback, for a file the TypeScript parser refused (`refusal`): hcl2json's syntax
 * error becomes the file's problem; if hcl2json accepts the file, the TypeScript parser has a gap, and the
 * file is read with the lenient scanner (its expressions later with hcl2json's ASTs, `expressionAst`),
 * which `OIDCLINT_DEBUG` reports.
 */
export async function readRefusedFile(
  path: string,
  text: string,
  index: LineIndex,
  refusal: HclSyntaxProblem,
): Promise<HclResult> {
  // A block left open at the end: HCL says the same, at the same brace (its column counts characters: the
  // same as ours when the line up to the brace is ASCII).
  if (refusal.message === UNCLOSED_BLOCK) {
    const lineStart = text.lastIndexOf("\n", refusal.start) + 1;
    if (/^[\x00-\x7f]*$/.test(text.slice(lineStart, refusal.start)))
      return { problem: unclosedBlockError(index.span(refusal.start, refusal.end)) };
  }
  const error = await hclSyntaxError(path, text);
  if (error) return { problem: heredocProblem(refusal, error, text, index) ?? error };
  if (process.env.OIDCLINT_DEBUG) {
    const at = index.position(refusal.start);
    console.error(
      `oidclint: ${path}:${at.line}:${at.column}: the TypeScript HCL parser refused this file (${refusal.message}) but hcl2json accepts it; reading it with hcl2json`,
    );
  }
  return { body: scanHcl(text) };
}

/**
 * hcl2json reports a heredoc without its closing marker at the end of the file; the place to fix is
 * the `<<EOF` that opened it, which the TypeScript parser knows.
 */
function heredocProblem(
  own: { message: string; start: number },
  error: { message: string; detail: string; loc: SourceLocation },
  text: string,
  index: LineIndex,
): { message: string; detail: string; loc: SourceLocation } | undefined {
  const marker = /^Unterminated heredoc: no line "([^"]*)"/.exec(own.message)?.[1];
  if (marker === undefined) return undefined;
  const intro = text.lastIndexOf("<<", own.start);
  if (intro < 0) return undefined;
  const introEnd = text.indexOf(marker, intro) + marker.length;
  const loc = index.span(intro, Math.max(introEnd, intro + 2));
  if (error.loc.line < loc.line) return undefined;
  return { ...error, message: `${error.message}: no line "${marker}" closes the heredoc started here`, loc };
}
