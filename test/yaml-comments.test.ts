/**
 * The YAML comment scanner of suppressions (src/parsers/comments.ts) against the reference it replaced: the
 * `yaml` package's lexer, where a comment is a token that starts with `#` (except a block scalar's body, which
 * the lexer also hands out as one token: at column 0 it can start with `#`, and it is text). Compared on every
 * YAML file of the repository's fixtures and tests, on the real workflows in /work/realwf when that directory
 * exists, on seeded random edits of those files, and on random texts built from YAML's delicate pieces.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Lexer } from "yaml";
import { describe, expect, it } from "vitest";
import { yamlCommentStarts } from "../src/parsers/comments.js";
import { collectSuppressions } from "../src/engine/suppressions.js";
import { ROOT } from "./helpers.js";

const SCALAR = "\x1f";
const MARKERS = new Set(["\x02", "\x18", SCALAR]);

function lexerCommentStarts(text: string): number[] {
  const out: number[] = [];
  let offset = 0;
  let previous = "";
  for (const token of new Lexer().lex(text)) {
    if (token.length === 1 && MARKERS.has(token)) {
      previous = token;
      continue;
    }
    if (token.startsWith("#") && previous !== SCALAR) out.push(offset);
    previous = token;
    offset += token.length;
  }
  return out;
}

const starts = (text: string): number[] => [...yamlCommentStarts(text)].sort((a, b) => a - b);

function* yamlFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "node_modules" && e.name !== ".git") yield* yamlFiles(p);
    } else if (/\.ya?ml$/i.test(e.name) && statSync(p).size < 400_000) yield p;
  }
}

const REAL = "/work/realwf";
const files = [
  ...yamlFiles(join(ROOT, "fixtures")),
  ...yamlFiles(join(ROOT, "test")),
  ...(existsSync(REAL) ? yamlFiles(REAL) : []),
];

/** A small deterministic generator (tests must fail the same way twice). */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

const PIECES = [
  "#",
  " #",
  "'",
  '"',
  "|",
  ">",
  "\n",
  "\r\n",
  "[",
  "]",
  "{",
  "}",
  ",",
  ":",
  ": ",
  "- ",
  "? ",
  "\t",
  "---\n",
  "...\n",
  "%YAML 1.2\n",
  "&a ",
  "*a",
  "!t ",
  "\\",
  " ",
  "  ",
  "|-\n",
  ">+\n",
  "|2\n",
  "\uFEFF",
  "x",
];

describe("yamlCommentStarts", () => {
  it("finds the comments of real YAML only outside scalars", () => {
    const text = [
      "# top", //                                     0: comment
      "on: push # trigger", //                         comment after a plain scalar
      "env:",
      "  A: 'it''s # not' # yes", //                   quoted with '' escape, then a comment
      '  B: "say \\" # no" # yes',
      "  C: a#b", //                                   no: # inside a plain scalar
      "  D: |", //
      "    echo # a shell comment, text", //          block scalar body: text
      "  # less indented: a comment again",
      "  E: [a, b] # after a flow sequence",
      "  F: {a: '#', b: c} #",
      "  G: >-",
      "      folded # text",
      "# end",
    ].join("\n");
    const at = (needle: string, from = 0): number => text.indexOf(needle, from);
    expect(starts(text)).toEqual(
      [
        at("# top"),
        at("# trigger"),
        at("# yes"),
        at("# yes", at("# yes") + 1),
        at("# less"),
        at("# after"),
        at("#", at("b: c}")),
        at("# end"),
      ].sort((a, b) => a - b),
    );
  });

  it("keeps a quoted scalar open across lines, and ends it at a line indented too little", () => {
    const open = "a: 'x\n  # inside'\n# out\n";
    expect(starts(open)).toEqual([open.indexOf("# out")]);
    // `b:` at column 0 is indented too little for the scalar opened at `k:`: it ends there (an error), so `#` is a comment.
    const unindented = "a:\n  k: 'x\nb: 1 # c\nd: 'y'\n";
    expect(starts(unindented)).toEqual([unindented.indexOf("# c")]);
    // A quote that never closes runs to the end of the text.
    expect(starts("a: 'x\nb: 1 # c\n")).toEqual([]);
    for (const t of [open, unindented]) expect(starts(t)).toEqual(lexerCommentStarts(t));
  });

  it("treats the body of a top-level block scalar at column 0 as text", () => {
    expect(starts("--- |\n# text\n")).toEqual([]);
    expect(starts("|\n#x")).toEqual([]);
    expect(lexerCommentStarts("|\n#x")).toEqual([]);
  });

  it("matches the yaml lexer on every fixture and real workflow", () => {
    expect(files.length).toBeGreaterThan(100);
    const differ = files.filter((f) => {
      const text = readFileSync(f, "utf8");
      return starts(text).join() !== lexerCommentStarts(text).join();
    });
    expect(differ).toEqual([]);
  });

  it("matches the yaml lexer on random edits of those files", () => {
    const rnd = random(7);
    const differ: string[] = [];
    for (const f of files.slice(0, 400)) {
      const text = readFileSync(f, "utf8");
      for (let k = 0; k < 5; k++) {
        let t = text;
        for (let e = 0; e < 1 + Math.floor(rnd() * 4); e++) {
          const at = Math.floor(rnd() * (t.length + 1));
          const piece = PIECES[Math.floor(rnd() * PIECES.length)] ?? "";
          t =
            rnd() < 0.7
              ? t.slice(0, at) + piece + t.slice(at)
              : t.slice(0, at) + t.slice(at + 1 + Math.floor(rnd() * 5));
        }
        if (starts(t).join() !== lexerCommentStarts(t).join()) differ.push(JSON.stringify(t));
      }
    }
    expect(differ).toEqual([]);
  });

  it("matches the yaml lexer on random texts of YAML's delicate pieces", () => {
    const rnd = random(11);
    const differ: string[] = [];
    for (let k = 0; k < 20_000; k++) {
      let t = "";
      for (let i = 1 + Math.floor(rnd() * 25); i > 0; i--)
        t += (rnd() < 0.7 ? PIECES[Math.floor(rnd() * PIECES.length)] : "ab c"[Math.floor(rnd() * 4)]) ?? "";
      if (starts(t).join() !== lexerCommentStarts(t).join()) differ.push(JSON.stringify(t));
    }
    expect(differ).toEqual([]);
  });

  it("is linear on hostile input", () => {
    const hostile = `a: ${"[".repeat(200_000)}'${"x ".repeat(400_000)}\n${"- ".repeat(200_000)}#\n${"[a, ".repeat(100_000)}`;
    const t0 = performance.now();
    yamlCommentStarts(hostile);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it("counts a suppression only in a comment", () => {
    const text = [
      "jobs:",
      "  a:",
      "    steps:",
      "      - run: |",
      "          echo '# oidclint-disable-next-line x'",
      "      # oidclint-disable-next-line y -- why",
      "      - run: 'a # oidclint-disable z'",
    ].join("\n");
    const s = collectSuppressions(".github/workflows/a.yml", text);
    expect(s.map((x) => [x.ruleId, x.line, x.column])).toEqual([["y", 6, 7]]);
  });
});
