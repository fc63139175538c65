/**
 * The plain-YAML reader (src/parsers/workflow/plain-yaml.ts) against `yaml`: whatever it reads, `yaml` reads
 * without an error and to the same tree (nodes, values, offsets). Checked on every YAML fixture, on generated
 * inputs, and on workflows mutated at random (fast-check) where the subset's edges are: indentation, `:`,
 * quotes, brackets, comments, tabs, block scalar headers, indicators YAML reserves. It is also the syntax check
 * of the workflows the pre-filter skips: a refusal only costs the full parse.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plainYamlTree } from "../src/parsers/workflow/plain-yaml.js";
import { fastYamlTree } from "../src/parsers/workflow/yaml-tree.js";
import { FIXTURES, yamlFiles, yamlReference } from "./helpers.js";
import { generatedYaml } from "./yaml-generated.js";

const RUNS = Number(process.env.OIDCLINT_FUZZ_RUNS) || 400;
const SEED = Number(process.env.OIDCLINT_FUZZ_SEED) || 20261207;

const reference = yamlReference;

/**
 * The reader's tree equals the one the workflow parser got before it (js-yaml's events, else `yaml`'s tree,
 * else `yaml`'s error), or the reader is not sure; true when it read the text. The two builders give the same
 * tree wherever both read a text (test/workflow-yaml-tree.test.ts); js-yaml alone reads a quoted scalar
 * continued at its key's indentation, as GitHub does (fixtures/parse-error/valid/workflow-quoted-continuation).
 */
function agrees(text: string): boolean {
  const plain = plainYamlTree(text);
  if (plain === undefined) return false;
  const fast = fastYamlTree(text);
  expect(plain, JSON.stringify(text)).toEqual(fast === undefined ? reference(text) : fast);
  return true;
}

const files = yamlFiles(FIXTURES);
const workflows = files.filter((f) => /\.github\/workflows\/[^/]+$/.test(f)).map((f) => readFileSync(f, "utf8"));

describe("plain YAML reader", () => {
  it("reads most workflow fixtures, each to the tree `yaml` gives", () => {
    let read = 0;
    let workflowsRead = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const name = relative(FIXTURES, file);
      if (!agrees(text)) continue;
      read++;
      if (name.includes(".github/workflows/")) workflowsRead++;
    }
    expect(workflows.length).toBeGreaterThan(100);
    expect(workflowsRead).toBeGreaterThan(workflows.length * 0.6);
    expect(read).toBeGreaterThan(files.length * 0.4);
  });

  it("agrees with `yaml` on generated inputs", () => {
    let read = 0;
    // Without the anchors and aliases every generated input has (the reader leaves those to the others).
    for (let seed = 1; seed <= 600; seed++)
      if (
        agrees(
          generatedYaml(seed)
            .replace(/&[A-Z] ?/g, "")
            .replace(/\*A/g, "a"),
        )
      )
        read++;
    expect(read).toBeGreaterThan(60);
  });

  it("reads the subset: block collections, one-line scalars and flow collections, block scalars, comments, CRLF", () => {
    const texts = [
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n",
      "a:\n- x\n-\n- y # c\nb: 'it''s'\nc: \"q\\\"\\n\\t\\x41\\u00e9\"\n",
      "a: [x, 'y', \"z\", [1, {k: v}], {}]\nb: {c: d, e: [f]}\n",
      "run: |\n  echo a\n\n  echo b\n# after\nx: >-\n  one\n  two\n\n  three\n",
      "- - a\n  - b\n- k: v\n  l:\n  - m\n",
      "a: b\r\nc:\r\n  - d\r\n",
      "# only a comment\n",
      "--- # x\n# y\n",
      "  \n",
      "",
      "k: v # c\n  # deeper comment\nz: 1\n",
      "a: 1\nb: true\nc: ~\nd: 0o17\ne: on\nf: -x\ng: a:b\nh: ${{ x }}\n",
      "---\nif: a &&\n  b\n\n  c\nx: 'one\n   two'\ny: \"three\n\n  four\"\n",
      "needs:\n  [\n    a, # c\n    'b',\n  ]\nm: {x: 1,\n  y: [2]}\n",
      "run: |\n  a\n     \n  b\n",
      "if: ${{ a\n  && b }}\nc: x\n  [z\n  :w\nd: :e\nf: ?g\n",
      "k: [x,\n]\n- [y,\n]\n".replace("- [y,\n]\n", "l:\n- [y,\n  ]\n"),
      "a: |\nb: |-\n\nc: >\n",
      "a:\n  k: \"x\n  y\"\n  l: 'z\n\n  w'\n",
      "a: >\n  x\n    more\n  y\n\n  z\n\n    w\n\n\n  v\n   u\nb: >-\n\n  c\n   d\n",
      "a:\n  b: |\n\n# c\n  d: >-\n  # e\n\n  f: 1\n",
    ];
    for (const text of texts) expect(agrees(text), JSON.stringify(text)).toBe(true);
  });

  it("is not sure of anything outside the subset", () => {
    const texts = [
      "a: &x 1\nb: *x\n",
      "a: !!str 1\n",
      "? a\n: b\n",
      "%YAML 1.2\n---\na: 1\n",
      "a: 1\n---\nb: 2\n",
      "a: 1\n...\n",
      "a:\tb\n",
      "a:\n\t- b\n",
      "a: |+\n  x\n",
      "a: |2\n   x\n",
      "\ufeffa: 1\n",
      "a: 'open\n",
      "a: [x\n  y]\n",
      "a:\n  k: [x,\n ]\n",
      "a: [[x,\n]]\n",
      'a:\n  k: "x\n y"\n',
      "a: [x,\ny]\n",
      'a: "x\\\n  y"\n',
      "a: |\n  x\n   \n",
      "- a\n- b\n---\n",
      "a: b: c\n",
      "a: - b\n",
      "a: 1\n- b\n",
      'a: "\\q"\n',
      "a: x\rb: y\n",
      "a: @x\n",
      "a: `x`\n",
      "a: {x}\n",
      "a: [x: y]\n",
    ];
    for (const text of texts) expect(plainYamlTree(text), JSON.stringify(text)).toBeUndefined();
  });

  it("reads nothing `yaml` refuses, nor to another tree, in workflows mutated at random", () => {
    const pieces = [
      ...[": ", ":", "#", " #", " # c", "'", '"', "''", "[", "]", "{", "}", ",", ", ", "-", "- ", "  ", " "],
      ...["\t", "\n", "\r\n", "\r", "|", ">", "|-", ">-", "|+", "|2", "&a ", "*a", "!t ", "? ", "%", "@", "`"],
      ...["\\", '\\"', "\\x4", "\\u00e9", "---\n", "...\n", "\x85", "\u2028", "\ufeff", "\0", "~", "0o", "x: y"],
      ...["&& ", ":x", "?x", " ]", "\n]", "\n  ]", "\n    - ", "|\n", ">\n"],
    ];
    const bases = [...workflows.filter((_, i) => i % 4 === 0), ...[3, 7, 11, 19, 23].map(generatedYaml)];
    const edit = fc.oneof(
      fc.record({ op: fc.constant("insert"), at: fc.nat(), piece: fc.constantFrom(...pieces) }),
      fc.record({ op: fc.constant("delete"), at: fc.nat(), length: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ op: fc.constant("indent"), at: fc.nat(), by: fc.integer({ min: -3, max: 3 }) }),
      fc.record({ op: fc.constant("line"), at: fc.nat(), to: fc.nat() }),
    );
    let read = 0;
    fc.assert(
      fc.property(fc.nat(bases.length - 1), fc.array(edit, { minLength: 1, maxLength: 4 }), (base, edits) => {
        let text = bases[base] as string;
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          if (e.op === "insert") text = text.slice(0, at) + e.piece + text.slice(at);
          else if (e.op === "delete") text = text.slice(0, at) + text.slice(at + e.length);
          else {
            const lines = text.split("\n");
            const i = e.at % lines.length;
            const line = lines[i] as string;
            if (e.op === "indent")
              lines[i] = e.by >= 0 ? " ".repeat(e.by) + line : line.replace(new RegExp(`^ {0,${-e.by}}`), "");
            else lines.splice(e.to % lines.length, 0, line);
            text = lines.join("\n");
          }
        }
        if (agrees(text)) read++;
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // The mutations mostly leave a readable workflow: the property is not vacuous.
    expect(read).toBeGreaterThan(RUNS * 0.2);
  });
});
