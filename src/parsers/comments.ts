/**
 * Offsets where real comments start in YAML and HCL, so that a suppression directive counts only in a
 * comment — never inside a quoted string, a YAML block scalar (a shell script's `# …`), or a Terraform
 * heredoc. Which scanner reads which file is the format registry's `COMMENT_SYNTAXES`.
 */

/**
 * YAML: where `#` comments start, without parsing the text: one pass that tracks what decides whether a
 * `#` is a comment — quoted scalars (which may span lines), block scalars (a shell script's `# …` is text),
 * plain scalars (`a#b` is text, `a #b` ends the scalar), flow collections, and the indentation that says
 * where a multi-line scalar ends. It reads broken YAML the way the `yaml` package's lexer does (the reference
 * test/yaml-comments.test.ts holds it to, on every fixture, real workflows and mutations of them), so a
 * suppression comment counts in the same places whether the file parses or not — except the first line of a
 * block scalar written at column 0 (a top-level `|`), which is text, not a comment. It needs no YAML library:
 * a workflow run does not load `yaml` for its suppression comments.
 */
export function yamlCommentStarts(text: string): Set<number> {
  const out = new Set<number>();
  const end = text.length;
  let pos = 0;
  /** The least indentation a line needs to continue the scalar or block scalar that is open. */
  let indentNext = 0;
  /** The indentation of the current line, plus the `- `, `? `, `: ` indicators that opened it. */
  let indentValue = 0;
  let flowLevel = 0;
  /** In a flow collection, the node just read can be a key: `:` right after it is the value indicator. */
  let flowKey = false;

  const isBlank = (at: number): boolean => {
    const c = text[at];
    return c === undefined || c === " " || c === "\n" || c === "\r" || c === "\t";
  };
  const isFlowIndicator = (c: string | undefined): boolean =>
    c === "," || c === "[" || c === "]" || c === "{" || c === "}";
  // The next line break after `searchedFrom` (-1: none): still the next one for any later position before it,
  // so a line of many tokens is searched once.
  let searchedFrom = Infinity;
  let nextBreak = -1;
  /** Where the current line's content ends (a `\r` before the `\n` is not content). */
  const lineEnd = (from: number): number => {
    if (from < searchedFrom || (nextBreak !== -1 && nextBreak < from)) {
      searchedFrom = from;
      nextBreak = text.indexOf("\n", from);
    }
    const nl = nextBreak;
    if (nl < 0) return end;
    return text[nl - 1] === "\r" && nl - 1 >= from ? nl - 1 : nl;
  };
  const skipSpaces = (tabs: boolean): number => {
    const from = pos;
    while (text[pos] === " " || (tabs && text[pos] === "\t")) pos++;
    return pos - from;
  };
  const skipNewline = (): number => {
    if (text[pos] === "\n") return ((pos += 1), 1);
    if (text[pos] === "\r" && text[pos + 1] === "\n") return ((pos += 2), 2);
    return 0;
  };
  /** A comment from `pos` to the end of its line. */
  const comment = (): void => {
    out.add(pos);
    pos = lineEnd(pos);
  };
  const isDocumentMarker = (at: number): boolean => {
    const three = text.slice(at, at + 3);
    return (three === "---" || three === "...") && isBlank(at + 3);
  };
  /** Where a scalar continues on the line starting at `at`, or -1 when that line ends it. */
  const continueScalar = (at: number): number => {
    if (indentNext > 0) {
      let indent = 0;
      while (text[at + indent] === " ") indent++;
      const c = text[at + indent];
      if (c === "\r" && text[at + indent + 1] === "\n") return at + indent + 1;
      return c === "\n" || indent >= indentNext ? at + indent : -1;
    }
    return isDocumentMarker(at) ? -1 : at;
  };
  /** Tags, anchors, and the `-`, `?`, `:` indicators before a node. */
  const skipIndicators = (): void => {
    for (;;) {
      const c = text[pos];
      if (c === "!") {
        skipTag();
        skipSpaces(true);
      } else if (c === "&") {
        skipAnchor();
        skipSpaces(true);
      } else if (
        (c === "-" || c === "?" || c === ":") &&
        (isBlank(pos + 1) || (flowLevel > 0 && isFlowIndicator(text[pos + 1])))
      ) {
        if (flowLevel === 0) indentNext = indentValue + 1;
        else flowKey = false;
        pos++;
        skipSpaces(true);
      } else return;
    }
  };
  const skipTag = (): void => {
    if (text[pos + 1] === "<") {
      pos += 2;
      while (!isBlank(pos) && text[pos] !== ">") pos++;
      if (text[pos] === ">") pos++;
      return;
    }
    pos++;
    for (;;) {
      const c = text[pos];
      if (c !== undefined && TAG_CHARS.test(c)) pos++;
      else if (c === "%" && HEX.test(text[pos + 1] ?? "") && HEX.test(text[pos + 2] ?? "")) pos += 3;
      else return;
    }
  };
  /** An anchor or alias name: up to a blank or a flow indicator. */
  const skipAnchor = (): void => {
    do pos++;
    while (!isBlank(pos) && !isFlowIndicator(text[pos]));
  };
  const quoted = (quote: string): void => {
    let close = text.indexOf(quote, pos + 1);
    if (quote === "'") {
      while (close !== -1 && text[close + 1] === "'") close = text.indexOf("'", close + 2);
    } else {
      while (close !== -1) {
        let backslashes = 0;
        while (text[close - 1 - backslashes] === "\\") backslashes++;
        if (backslashes % 2 === 0) break;
        close = text.indexOf('"', close + 1);
      }
    }
    if (close === -1) {
      pos = end; // an unclosed quote runs to the end of the text
      return;
    }
    // A line less indented than the scalar needs ends it (a syntax error) before the closing quote.
    let nl = text.indexOf("\n", pos);
    while (nl !== -1 && nl < close) {
      const at = continueScalar(nl + 1);
      if (at === -1) {
        pos = nl - (text[nl - 1] === "\r" ? 1 : 0);
        return;
      }
      nl = text.indexOf("\n", at);
    }
    pos = close + 1;
  };
  const plain = (): void => {
    const inFlow = flowLevel > 0;
    let last = pos - 1;
    for (let i = pos; i < end; i++) {
      let c = text[i];
      if (c === ":") {
        if (isBlank(i + 1) || (inFlow && isFlowIndicator(text[i + 1]))) break;
        last = i;
      } else if (c === " " || c === "\n" || c === "\r" || c === "\t") {
        if (c === "\r") {
          if (text[i + 1] === "\n") {
            i++;
            c = "\n";
          } else last = i;
        }
        const next = text[i + 1];
        if (next === "#" || (inFlow && isFlowIndicator(next))) break;
        if (c === "\n") {
          const at = continueScalar(i + 1);
          if (at === -1) break;
          i = Math.max(i, at - 2);
        }
      } else {
        if (inFlow && isFlowIndicator(c)) break;
        last = i;
      }
    }
    pos = last + 1;
  };
  /** `|` or `>` with its indicators, the rest of its line, and the lines of its body. */
  const blockScalar = (lineStop: number): void => {
    let explicitIndent = -1;
    let keep = false;
    for (let i = pos + 1; ; i++) {
      const c = text[i];
      if (c === "+") keep = true;
      else if (c !== undefined && c > "0" && c <= "9") explicitIndent = Number(c) - 1;
      else if (c !== "-") break;
    }
    do pos++;
    while (!isBlank(pos) && text[pos] !== "#");
    skipSpaces(true);
    if (pos < lineStop && text[pos] === "#") out.add(pos);
    pos = Math.max(pos, lineStop);
    skipNewline();
    // The body: its indentation is the first non-blank line's, or the header's indicator.
    let nl = pos - 1;
    let indent = 0;
    for (let i = pos; i < end; i++) {
      const c = text[i];
      if (c === " ") indent++;
      else if (c === "\n") {
        nl = i;
        indent = 0;
      } else if (!(c === "\r" && text[i + 1] === "\n")) break;
    }
    if (indent >= indentNext) {
      indentNext = explicitIndent === -1 ? indent : explicitIndent + (indentNext === 0 ? 1 : indentNext);
      do {
        const at = continueScalar(nl + 1);
        if (at === -1) break;
        nl = text.indexOf("\n", at);
      } while (nl !== -1);
      if (nl === -1) nl = end;
    }
    let i = nl + 1;
    while (text[i] === " ") i++;
    if (text[i] === "\t") {
      // Tabs after the body belong to it (an error the parser reports there).
      while (text[i] === "\t" || text[i] === " " || text[i] === "\r" || text[i] === "\n") i++;
      nl = i - 1;
    } else if (!keep) {
      // Trailing lines of spaces that are not more indented than the body are not part of it.
      for (;;) {
        let j = nl - 1;
        if (text[j] === "\r") j--;
        const lastChar = j;
        while (text[j] === " ") j--;
        if (text[j] === "\n" && j >= pos && j + 1 + indent > lastChar) nl = j;
        else break;
      }
    }
    pos = Math.max(pos, nl + 1);
  };

  type State = "stream" | "doc" | "flow";
  let state: State = "stream";
  // Every step reads at least one character, or changes the state so that the next one does; the guard only
  // makes that a bound for any input.
  let still = 0;
  while (pos < end) {
    const before = pos;
    state = state === "stream" ? streamStep() : state === "doc" ? documentStep() : flowStep();
    if (pos !== before) still = 0;
    else if (++still > 3) pos++;
  }
  return out;

  /** Lines outside a document: blank lines, comments, directives; any other line starts a document. */
  function streamStep(): State {
    if (text[pos] === "\uFEFF") pos++;
    const stop = lineEnd(pos);
    if (text[pos] === "%") {
      // A directive: its comment starts at the first `#` after a blank.
      for (let i = pos + 1; i < stop; i++)
        if (text[i] === "#" && (text[i - 1] === " " || text[i - 1] === "\t")) {
          out.add(i);
          break;
        }
      pos = stop;
      skipNewline();
      return "stream";
    }
    const lineStartsAt = pos;
    skipSpaces(true);
    if (pos >= stop || text[pos] === "#") {
      if (pos < stop) out.add(pos);
      pos = stop;
      skipNewline();
      return "stream";
    }
    pos = lineStartsAt;
    return lineStart();
  }

  function lineStart(): State {
    if (isDocumentMarker(pos)) {
      const start = text[pos] === "-";
      pos += 3;
      indentValue = 0;
      indentNext = 0;
      return start ? "doc" : "stream";
    }
    indentValue = skipSpaces(false);
    if (indentNext > indentValue && !isBlank(pos + 1)) indentNext = indentValue;
    // `- `, `? ` and `: ` at the start of a line open a more indented node.
    while ((text[pos] === "-" || text[pos] === "?" || text[pos] === ":") && isBlank(pos + 1)) {
      pos++;
      const n = 1 + skipSpaces(true);
      indentNext = indentValue + 1;
      indentValue += n;
    }
    return "doc";
  }

  function documentStep(): State {
    skipSpaces(true);
    const stop = lineEnd(pos);
    skipIndicators();
    const c = pos < stop ? text[pos] : undefined;
    if (c === "#") comment();
    switch (c) {
      case "#":
      case undefined:
        pos = Math.max(pos, stop);
        skipNewline();
        return lineStart();
      case "{":
      case "[":
        pos++;
        flowKey = false;
        flowLevel = 1;
        return "flow";
      case "}":
      case "]":
        pos++;
        return "doc";
      case "*":
        skipAnchor();
        return "doc";
      case '"':
      case "'":
        quoted(c);
        return flowLevel > 0 ? "flow" : "doc";
      case "|":
      case ">":
        blockScalar(stop);
        return lineStart();
      default:
        plain();
        return flowLevel > 0 ? "flow" : "doc";
    }
  }

  function flowStep(): State {
    let indent = -1;
    for (;;) {
      const nl = skipNewline();
      let spaces = 0;
      if (nl > 0) indentValue = indent = spaces = skipSpaces(false);
      spaces += skipSpaces(true);
      if (nl + spaces === 0) break;
    }
    if (pos >= end) return "flow";
    const stop = lineEnd(pos);
    const first = pos < stop ? text[pos] : undefined;
    if ((indent !== -1 && indent < indentNext && first !== "#") || (indent === 0 && isDocumentMarker(pos))) {
      // A closing bracket one column left of the collection's indentation is accepted; anything else less
      // indented ends the collection (an error) and is read as a new line.
      const closing = indent === indentNext - 1 && flowLevel === 1 && (first === "]" || first === "}");
      if (!closing) {
        flowLevel = 0;
        return lineStart();
      }
    }
    while (text[pos] === "," && pos < stop) {
      pos++;
      skipSpaces(true);
      flowKey = false;
    }
    skipIndicators();
    const c = pos < stop ? text[pos] : undefined;
    // `:` after a key (`"a":b`), before a blank or `,` is the value indicator; otherwise it starts a scalar.
    if (c === ":" && (flowKey || isBlank(pos + 1) || text[pos + 1] === ",")) {
      flowKey = false;
      pos++;
      skipSpaces(true);
      return "flow";
    }
    switch (c) {
      case undefined:
        return "flow";
      case "#":
        comment();
        return "flow";
      case "{":
      case "[":
        pos++;
        flowKey = false;
        flowLevel++;
        return "flow";
      case "}":
      case "]":
        pos++;
        flowKey = true;
        flowLevel--;
        return flowLevel > 0 ? "flow" : "doc";
      case "*":
        skipAnchor();
        return "flow";
      case '"':
      case "'":
        flowKey = true;
        quoted(c);
        return "flow";
      default:
        flowKey = false;
        plain();
        return "flow";
    }
  }
}

const TAG_CHARS = /[0-9A-Za-z\-#;/?:@&=+$_.!~*'()]/;
const HEX = /^[0-9A-Fa-f]$/;

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
