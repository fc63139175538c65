import type { SourceLocation } from "../../model/location.js";
import { joinParts, type Part, type StrValue } from "../../model/value.js";

/**
 * A workflow string with its `${{ … }}` expressions kept as unknown parts. The unknown's `expr` is the
 * expression's inner text, trimmed (`inputs.role`, `secrets.AWS_ROLE`); nothing is evaluated.
 */
export function expressionValue(text: string, loc: SourceLocation): StrValue {
  if (!text.includes("${{")) return { parts: [text], loc };
  const parts: Part[] = [];
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf("${{", at);
    const close = open < 0 ? -1 : text.indexOf("}}", open + 3);
    if (open < 0 || close < 0) {
      parts.push(text.slice(at));
      break;
    }
    parts.push(text.slice(at, open));
    parts.push({ unknown: text.slice(open + 3, close).trim() });
    at = close + 2;
  }
  return { parts: joinParts(parts), loc };
}

/** Whether a text is exactly one `${{ … }}` expression (surrounding whitespace allowed). */
export function isWholeExpression(text: string): boolean {
  const t = text.trim();
  return t.startsWith("${{") && t.endsWith("}}") && t.indexOf("${{", 3) < 0;
}
