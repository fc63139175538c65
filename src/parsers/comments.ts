import { Lexer } from "yaml";

/**
 * Offsets where real comments start in YAML and HCL, so that a suppression directive counts only in a
 * comment — never inside a quoted string, a YAML block scalar (a shell script's `# …`), or a Terraform
 * heredoc. Which scanner reads which file is the format registry's `COMMENT_SYNTAXES`.
 */

/** The yaml lexer yields source substrings in order, plus one-character markers that are not source. */
const MARKERS = new Set(["\x02", "\x18", "\x1f"]);

export function yamlCommentStarts(text: string): Set<number> {
  const out = new Set<number>();
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token.length === 1 && MARKERS.has(token)) continue;
    if (token.startsWith("#")) out.add(offset);
    offset += token.length;
  }
  return out;
}

type Context = { kind: "code"; braces: number } | { kind: "string" };

/** HCL: `#`, `//` and `/* *\/` outside strings, `${ }` interpolations are code again, heredoc bodies are skipped. */
export function hclCommentStarts(text: string): Set<number> {
  const out = new Set<number>();
  const stack: Context[] = [{ kind: "code", braces: 0 }];
  const lineEnd = (from: number): number => {
    const nl = text.indexOf("\n", from);
    return nl < 0 ? text.length : nl;
  };
  let i = 0;
  while (i < text.length) {
    const ctx = stack[stack.length - 1] ?? { kind: "code", braces: 0 };
    const c = text[i];
    const next = text[i + 1];
    if (ctx.kind === "string") {
      if (c === "\\") i += 2;
      else if (c === '"' || c === "\n") {
        stack.pop();
        i++;
      } else if ((c === "$" || c === "%") && next === "{") {
        stack.push({ kind: "code", braces: 0 });
        i += 2;
      } else i++;
      continue;
    }
    if (c === '"') {
      stack.push({ kind: "string" });
      i++;
    } else if (c === "#" || (c === "/" && next === "/")) {
      out.add(i);
      i = lineEnd(i);
    } else if (c === "/" && next === "*") {
      out.add(i);
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === "<" && next === "<") {
      const m = /^<<-?([A-Za-z_][\w-]*)[ \t]*\r?\n/.exec(text.slice(i, i + 200));
      if (!m?.[1]) {
        i += 2;
        continue;
      }
      // Skip to the line that holds only the closing marker.
      const marker = m[1];
      let at = i + m[0].length;
      while (at < text.length) {
        const end = lineEnd(at);
        if (text.slice(at, end).trim() === marker) {
          at = end;
          break;
        }
        at = end + 1;
      }
      i = at;
    } else if (c === "{") {
      ctx.braces++;
      i++;
    } else if (c === "}") {
      if (ctx.braces === 0 && stack.length > 1) stack.pop();
      else ctx.braces = Math.max(0, ctx.braces - 1);
      i++;
    } else i++;
  }
  return out;
}
