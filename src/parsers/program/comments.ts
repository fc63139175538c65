/**
 * Offsets where comments start in program source, so that a suppression directive counts only in a
 * comment: `//` and `/* *\/` in TypeScript/JavaScript (not inside strings, template literals or regular
 * expression literals), `#` in Python (not inside strings). One linear scan each.
 */

export function isJsPath(file: string): boolean {
  return /\.(ts|tsx|js|mjs|cjs|mts|cts)$/i.test(file);
}

export function isPythonPath(file: string): boolean {
  return /\.py$/i.test(file);
}

/** Characters after which a `/` starts a regular expression rather than a division. */
const BEFORE_REGEX = new Set([
  "",
  "(",
  ",",
  "=",
  ":",
  "[",
  "!",
  "&",
  "|",
  "?",
  "{",
  "}",
  ";",
  "+",
  "-",
  "*",
  "%",
  "<",
  ">",
  "~",
  "^",
]);

export function jsCommentStarts(text: string): Set<number> {
  const out = new Set<number>();
  // Each entry is the brace depth at which a template literal's `${` resumed code.
  const templates: number[] = [];
  let braces = 0;
  let last = "";
  let i = 0;
  const skipString = (quote: string): void => {
    i++;
    while (i < text.length && text[i] !== quote && text[i] !== "\n") i += text[i] === "\\" ? 2 : 1;
    i++;
  };
  const skipTemplate = (): void => {
    // From inside a template literal to its end or to a `${`.
    while (i < text.length) {
      const c = text[i];
      if (c === "\\") i += 2;
      else if (c === "`") {
        i++;
        return;
      } else if (c === "$" && text[i + 1] === "{") {
        i += 2;
        templates.push(braces);
        braces++;
        return;
      } else i++;
    }
  };
  while (i < text.length) {
    const c = text[i] ?? "";
    const next = text[i + 1];
    if (c === "/" && next === "/") {
      out.add(i);
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl;
      continue;
    }
    if (c === "/" && next === "*") {
      out.add(i);
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      skipString(c);
      last = "a";
      continue;
    }
    if (c === "`") {
      i++;
      skipTemplate();
      last = "a";
      continue;
    }
    if (c === "/" && BEFORE_REGEX.has(last)) {
      // A regular expression literal: to the closing `/` outside a character class, on this line.
      let inClass = false;
      i++;
      while (i < text.length && text[i] !== "\n") {
        const r = text[i];
        if (r === "\\") i++;
        else if (r === "[") inClass = true;
        else if (r === "]") inClass = false;
        else if (r === "/" && !inClass) break;
        i++;
      }
      i++;
      last = "a";
      continue;
    }
    if (c === "{") braces++;
    else if (c === "}") {
      braces--;
      if (templates.length > 0 && templates[templates.length - 1] === braces) {
        templates.pop();
        i++;
        skipTemplate();
        last = "a";
        continue;
      }
    }
    if (!/\s/.test(c)) last = /[\w$)\]]/.test(c) ? "a" : c;
    i++;
  }
  return out;
}

export function pythonCommentStarts(text: string): Set<number> {
  const out = new Set<number>();
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "#") {
      out.add(i);
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl;
    } else if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      const close = triple ? c.repeat(3) : c;
      i += close.length;
      while (i < text.length) {
        if (text[i] === "\\") i += 2;
        else if (text.startsWith(close, i)) {
          i += close.length;
          break;
        } else if (!triple && text[i] === "\n") break;
        else i++;
      }
    } else i++;
  }
  return out;
}
