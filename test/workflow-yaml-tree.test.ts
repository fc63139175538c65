/**
 * The fast YAML tree (js-yaml events, src/parsers/workflow/yaml-tree.ts) against the reference built from a
 * `yaml` Document: the same nodes, values and offsets for every YAML fixture, the same located workflow and
 * action models for every workflow fixture, and the same trees for generated inputs full of the places where
 * the two parsers could disagree (comments after collections at every indentation, empty values, block scalars,
 * multi-line scalars, anchors, CRLF). Inputs `yaml` refuses stay refused (the fallback gives its message).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { defaultSettings } from "../src/config/settings.js";
import type { ParseEnv } from "../src/parsers/source.js";
import { parseAction, parseWorkflow } from "../src/parsers/workflow/index.js";
import { corePlainValue, fastYamlTree, yamlDocumentTree, type YNode } from "../src/parsers/workflow/yaml-tree.js";
import { FIXTURES } from "./helpers.js";

const env: ParseEnv = { root: "/repo", settings: defaultSettings(), readFile: () => undefined };

/** Files `yaml` refuses that GitHub (and js-yaml) read: the fast builder reads them on purpose. */
const READ_BEYOND_YAML = new Set(["parse-error/valid/workflow-quoted-continuation/.github/workflows/integration.yml"]);

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yamlFiles(path, out);
    else if (/\.ya?ml$/.test(name)) out.push(path);
  }
  return out;
}

const reference = (text: string): YNode | null | "refused" => {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false, strict: false });
  return doc.errors.length > 0 ? "refused" : yamlDocumentTree(doc);
};

describe("fast YAML tree", () => {
  const files = yamlFiles(FIXTURES);

  it("gives every YAML fixture the tree `yaml` gives it, or leaves the file to `yaml`", () => {
    expect(files.length).toBeGreaterThan(200);
    let compared = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const fast = fastYamlTree(text);
      const ref = reference(text);
      const name = relative(FIXTURES, file);
      if (ref === "refused") {
        expect(fast === undefined || READ_BEYOND_YAML.has(name), `${name}: read although yaml refuses it`).toBe(true);
        continue;
      }
      // CloudFormation short forms (tags) are left to `yaml`; every workflow goes the fast way.
      if (fast === undefined && !name.includes(".github/workflows/")) continue;
      expect(fast, name).toEqual(ref);
      compared++;
    }
    expect(compared).toBeGreaterThan(files.length * 0.6);
  });

  it("builds the same located workflow and action models both ways for every workflow fixture", () => {
    let compared = 0;
    for (const file of files) {
      const name = relative(FIXTURES, file);
      const src = { path: name, abs: file, text: readFileSync(file, "utf8") };
      if (READ_BEYOND_YAML.has(name)) continue;
      if (/(^|\/)\.github\/workflows\/[^/]+$/.test(name)) {
        expect(parseWorkflow(src, env, true), name).toEqual(parseWorkflow(src, env, false));
        compared++;
      } else if (/(^|\/)action\.ya?ml$/.test(name)) {
        expect(parseAction(src, env, true), name).toEqual(parseAction(src, env, false));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(120);
  });

  it("agrees with `yaml` on generated inputs, and refuses what `yaml` refuses", () => {
    let compared = 0;
    for (let seed = 1; seed <= 600; seed++) {
      const text = generated(seed);
      const fast = fastYamlTree(text);
      const ref = reference(text);
      if (ref === "refused") expect(fast, JSON.stringify(text)).toBeUndefined();
      else if (fast !== undefined) {
        expect(fast, JSON.stringify(text)).toEqual(ref);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(250);
  });

  it("types plain scalars with the YAML 1.2 core schema, as `yaml` does", () => {
    const plain = [
      ...["on", "off", "yes", "no", "y", "n", "true", "True", "TRUE", "tRue", "false", "FALSE", "null", "Null", "NULL"],
      ...[
        "~",
        "nULL",
        "0",
        "-0",
        "+0",
        "007",
        "12",
        "-12",
        "+12",
        "0o17",
        "0o8",
        "0x1F",
        "0X1F",
        "0xg",
        "1.5",
        "1.",
        ".",
      ],
      ...[".5", "-.5", "1e3", "1E-3", "+1.5e+3", "1_000", "1,000", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", ".NAN"],
      ...["inf", "nan", "0b101", "1:30", "2024-01-01", "9007199254740993", "0x", "e3", "1e", "--1", "+"],
    ];
    for (const s of plain) {
      const doc = parseDocument(`k: ${s}\n`);
      const pair = (doc.contents as { items: { value: { value: unknown } }[] }).items[0];
      expect([s, corePlainValue(s)]).toEqual([s, pair?.value.value]);
    }
  });

  it("keeps aliases as aliases of the anchored node, with `<<` an ordinary key", () => {
    const text = "base: &b {x: 1}\nuse: *b\nmerged:\n  <<: *b\n";
    const tree = fastYamlTree(text);
    expect(tree).toEqual(reference(text));
    if (tree?.kind !== "map") throw new Error("not a map");
    const [base, use, merged] = tree.pairs;
    expect(use?.value).toMatchObject({ kind: "alias", start: 21, end: 23 });
    expect(use?.value?.kind === "alias" && use.value.target).toBe(base?.value);
    expect(merged?.value).toMatchObject({ kind: "map", pairs: [{ key: { kind: "scalar", value: "<<" } }] });
  });

  it("places empty sequence entries (js-yaml reports no node for them) where `yaml` does", () => {
    for (const text of ["- a\n-\n- b # c\n-   # d\n", "k:\n  - # x\n  -\n  - y\nz: 1\n", "k:\n- a\n-\n# c\nz: 1\n"]) {
      const tree = fastYamlTree(text);
      expect(tree, text).toBeDefined();
      expect(tree, text).toEqual(reference(text));
    }
  });

  it("leaves tags, explicit keys, directives and anchors used inside themselves to `yaml`", () => {
    for (const text of ["a: !!str 1\n", "? a\n: b\n", "%YAML 1.1\n---\non: push\n", "a: &x [*x]\n"])
      expect(fastYamlTree(text), text).toBeUndefined();
  });
});

/** A deterministic YAML input from a seed: nested maps and lists with the awkward cases mixed in. */
function generated(seed: number): string {
  let state = seed;
  const rnd = (): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const pad = (n: number): string => " ".repeat(n);
  const scalars = ["x", "on", "yes", "12", "0o17", "1.5", "~", "'q'", '"d q"', '"a\\tb"', "a b", "${{ x }}", "[a, b]"];
  scalars.push("{a: 1, b}", "[]", "*A", "&B v", "x:y", "a#b", "''", "-0", "+.5e-3");
  const junk = (ind: number): string => {
    let s = "";
    while (rnd() < 0.3) s += pick(["\n", `${pad(Math.floor(rnd() * (ind + 6)))}# j\n`, "  \n"]);
    return s;
  };
  const value = (depth: number, ind: number): string => {
    const r = rnd();
    if (depth > 3 || r < 0.45) return ` ${pick(scalars)}`;
    if (r < 0.55) return pick(["", " # c", "   ", " &E", " &E # c"]);
    if (r < 0.65) {
      const body = pick(["", "\n", `${pad(ind + 2)}line2\n`, `${pad(ind + 4)}# in block\n`]);
      return ` |${pick(["", "-", "2"])}${pick(["", " # h"])}\n${pad(ind + 2)}line1\n${body}`.replace(/\n$/, "");
    }
    if (r < 0.72) return ` >\n${pad(ind + 2)}f1\n${pad(ind + 2)}f2`;
    if (r < 0.78) return ` "multi\n${pad(ind + 1)}line"`;
    if (r < 0.82) return ` plain\n${pad(ind + 2)}cont`;
    if (r < 0.91) return `\n${block(depth + 1, ind + 2, "map")}`;
    return `\n${block(depth + 1, ind + pick([0, 2]), "seq")}`;
  };
  const block = (depth: number, ind: number, kind: "map" | "seq"): string => {
    let s = "";
    for (let i = 0, n = 1 + Math.floor(rnd() * 3); i < n; i++) {
      if (kind === "map") s += `${pad(ind)}${pick(["a", "on", "c d", "'k'", "1"])}${i}:${value(depth, ind)}\n`;
      else
        s += `${pad(ind)}-${rnd() < 0.5 ? ` ${block(depth + 1, ind + 2, "map").slice(ind + 2)}` : value(depth, ind + 2)}\n`;
      s = s.replace(/\n\n$/, "\n") + junk(ind);
    }
    return s.replace(/\n$/, "");
  };
  let text = `${rnd() < 0.2 ? "# head\n" : ""}${rnd() < 0.1 ? "---\n" : ""}A: &A v\n${block(0, 0, "map")}`;
  text += `${rnd() < 0.7 ? "\n" : ""}${rnd() < 0.2 ? junk(4) : ""}`;
  return rnd() < 0.1 ? text.replace(/\n/g, "\r\n") : text;
}
