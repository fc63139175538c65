import { randomBytes } from "node:crypto";

/**
 * Characters that must never reach a terminal or a CI log as they are: C0 controls (newline, carriage
 * return, ESC of CSI/OSC sequences), DEL, C1 controls, the Unicode line and paragraph separators, and the
 * bidirectional controls that reorder what is displayed. Any of them can come from the linted files (job
 * names, policy values, file names), from a JWT or from an API answer.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\u001b": "\\e" };

/** `s` with every control character written as a visible escape (`\n`, `\e`, `\x07`, `\u202e`). */
export function visible(s: string): string {
  return s.replace(CONTROL, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

export interface Paint {
  red: (s: string) => string;
  green: (s: string) => string;
  yellow: (s: string) => string;
  bold: (s: string) => string;
  dim: (s: string) => string;
  underline: (s: string) => string;
  /**
   * One output line as the terminal gets it: every control character in it made visible (a newline in a
   * value stays on this line as `\n`), and only this painter's own styles turned into escape sequences.
   */
  line: (s: string) => string;
}

/**
 * Styles for human-readable output. A style is first written as a marker holding a per-run random
 * nonce, which text from the outside cannot forge; `line` escapes everything else and only then turns the
 * markers into SGR sequences. With `color` false no marker is written at all.
 */
export function painter(color: boolean): Paint {
  // Without color there is no marker to find: no nonce (and no `crypto` loaded for a pre-commit run).
  const nonce = color ? randomBytes(8).toString("hex") : "";
  const marker = new RegExp(`\u0000${nonce}(\\d+)\u0000`, "g");
  const style = (code: number) => (s: string) => (color ? `\u0000${nonce}${code}\u0000${s}\u0000${nonce}0\u0000` : s);
  return {
    red: style(31),
    green: style(32),
    yellow: style(33),
    bold: style(1),
    dim: style(2),
    underline: style(4),
    line(s) {
      if (!color) return visible(s);
      let out = "";
      let last = 0;
      for (const m of s.matchAll(marker)) {
        out += `${visible(s.slice(last, m.index))}\u001b[${m[1] ?? 0}m`;
        last = m.index + m[0].length;
      }
      return out + visible(s.slice(last));
    },
  };
}

/** Lines joined for output, each one passed through `paint.line`, with a final newline. */
export function printLines(paint: Paint, lines: readonly string[]): string {
  return `${lines.map(paint.line).join("\n")}\n`;
}

/** Colour for a human-readable report: `--color`/`--no-color` first, then FORCE_COLOR, NO_COLOR, and whether stdout is a terminal. */
export function useColor(
  flag: boolean | undefined,
  io: { isTTY: boolean; env: Record<string, string | undefined> },
  toFile = false,
): boolean {
  if (flag !== undefined) return flag;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  if (io.env.NO_COLOR) return false;
  return io.isTTY && !toFile;
}
