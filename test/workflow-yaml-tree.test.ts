/**
 * The fast YAML tree (js-yaml events, src/parsers/workflow/yaml-tree.ts) against the reference built from a
 * `yaml` Document: the same nodes, values and offsets for every YAML fixture, the same located workflow and
 * action models for every workflow fixture, and the same trees for generated inputs full of the places where
 * the two parsers could disagree (comments after collections at every indentation, empty values, block scalars,
 * multi-line scalars, anchors, CRLF). Inputs `yaml` refuses stay refused (the fallback gives its message).
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { defaultSettings } from "../src/config/settings.js";
import type { ParseEnv } from "../src/parsers/source.js";
import { parseAction, parseWorkflow } from "../src/parsers/workflow/index.js";
import { corePlainValue, fastYamlTree } from "../src/parsers/workflow/yaml-tree.js";
import { FIXTURES, yamlFiles, yamlReference } from "./helpers.js";
import { generatedYaml as generated } from "./yaml-generated.js";

const env: ParseEnv = { root: "/repo", settings: defaultSettings(), readFile: () => undefined };

/** Files `yaml` refuses that GitHub (and js-yaml) read: the fast builder reads them on purpose. */
const READ_BEYOND_YAML = new Set(["parse-error/valid/workflow-quoted-continuation/.github/workflows/integration.yml"]);

const reference = yamlReference;

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
