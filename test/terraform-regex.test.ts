import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  allMatches,
  compileRegex,
  engineRegex,
  loadRegexEngine,
  replaceAll,
  type Compiled,
} from "../src/parsers/terraform/regex.js";

beforeAll(loadRegexEngine);

/** What a compiled pattern gives on a text: its matches and a replacement, or the error. */
function outcome(compiled: Compiled, text: string): unknown {
  if ("error" in compiled) return { error: true };
  return {
    matches: allMatches(compiled.re, text, 1000).map((m) => [m.start, m.end, m.groups]),
    replaced: replaceAll(compiled.re, text, "<$0>"),
    groups: compiled.re.groupCount,
  };
}

const TEXT = fc
  .array(
    fc.constantFrom(
      "a",
      "b",
      "z",
      "A",
      "0",
      "9",
      ":",
      "-",
      "_",
      ".",
      "/",
      " ",
      "\n",
      "\t",
      "\\",
      "]",
      "é",
      "😀",
      "\uD800",
    ),
    {
      maxLength: 24,
    },
  )
  .map((cs) => cs.join(""));

const MEMBER = fc.constantFrom(
  "a",
  "b",
  "z",
  "0",
  "9",
  ":",
  ".",
  "/",
  "_",
  " ",
  "^",
  "$",
  "*",
  "\\-",
  "\\]",
  "\\\\",
  "\\.",
);
const CLASS = fc
  .tuple(
    fc.boolean(),
    fc.array(fc.oneof(MEMBER, fc.constantFrom("a-z", "0-9", "A-Z", "-", "z-a", "[:alpha:]", "\\d")), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(([negated, members]) => `[${negated ? "^" : ""}${members.join("")}]`);
const ATOM = fc.oneof(
  fc.constantFrom(
    "a",
    "b",
    ":",
    "-",
    "_",
    "0",
    "/",
    " ",
    ".",
    "\\.",
    "\\-",
    "\\:",
    "\\+",
    "\\\\",
    "\\[",
    "\\d",
    "\\s",
    "\\w",
  ),
  fc.constantFrom("\\D", "\\S", "\\W", "\\pL", "\\b", "{", "}", "é"),
  CLASS,
);
/** Patterns of the simple shapes (a repeated atom, a literal), their near misses, and any short string of syntax. */
const PATTERN = fc.oneof(
  ATOM.map((a) => `${a}+`),
  fc.array(ATOM, { minLength: 1, maxLength: 4 }).map((as) => as.join("")),
  fc
    .array(
      fc.constantFrom("a", ":", "-", ".", "+", "*", "?", "[", "]", "^", "$", "\\", "(", ")", "|", "{", "}", "d", "s"),
      {
        minLength: 1,
        maxLength: 6,
      },
    )
    .map((cs) => cs.join("")),
);

describe("terraform regular expressions: the simple patterns matched without the engine", () => {
  it("give the engine's matches and replacements on any text", () => {
    fc.assert(
      fc.property(PATTERN, TEXT, (pattern, text) => {
        expect(outcome(compileRegex(pattern), text)).toEqual(outcome(engineRegex(pattern), text));
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    [":+", "repo:acme/app:ref", [":", ":"]],
    ["[^a-zA-Z0-9]+", "my_role--name.x", ["_", "--", "."]],
    ["\\s+", "a \t b\nc", [" \t ", "\n"]],
    ["\\.", "a.b.c", [".", "."]],
    ["-", "a-b", ["-"]],
  ])("%s in %j", (pattern, text, expected) => {
    const compiled = compileRegex(pattern);
    if ("error" in compiled) throw new Error(compiled.error);
    expect(allMatches(compiled.re, text, 100).map((m) => m.groups[0])).toEqual(expected);
  });
});
