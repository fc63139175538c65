import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultSettings } from "../src/config/settings.js";
import { EMPTY_MAP, ModelCompactor } from "../src/model/compact.js";
import type { ParsedFile } from "../src/model/project.js";
import { FORMATS, batchFormatOf } from "../src/parsers/formats.js";
import { COMPACT_ABOVE, parseAll, parseDocumentFile } from "../src/parsers/index.js";
import type { ParseEnv, SourceFile } from "../src/parsers/source.js";
import { FIXTURES } from "./helpers.js";

/** Every file under dir (relative, `/` separators), outside node_modules. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.parentPath.includes("node_modules"))
    .map((e) => relative(dir, join(e.parentPath, e.name)).split("\\").join("/"))
    .sort();
}

/** What the parsers make of every fixture, before any compaction (file formats one by one, batches at once). */
async function parseFixtures(): Promise<ParsedFile[]> {
  const sources: SourceFile[] = filesUnder(FIXTURES).map((path) => ({
    path,
    abs: join(FIXTURES, path),
    text: readFileSync(join(FIXTURES, path), "utf8"),
  }));
  const env: ParseEnv = { root: FIXTURES, settings: defaultSettings(), readFile: () => undefined };
  const out: ParsedFile[] = [];
  const batches = new Map<(typeof FORMATS)[number], SourceFile[]>();
  for (const src of sources) {
    const batch = batchFormatOf(src.path);
    if (batch) batches.set(batch, [...(batches.get(batch) ?? []), src]);
    else {
      const parsed = await parseDocumentFile(src, env);
      if (parsed) out.push(parsed);
    }
  }
  for (const [format, files] of batches) {
    if (format.parser.kind === "batch") out.push(...(await (await format.parser.load())(files, env)));
  }
  return out;
}

describe("model compaction", () => {
  it("runs only when the run holds more than COMPACT_ABOVE inputs", async () => {
    const env: ParseEnv = { root: "/r", settings: defaultSettings(), readFile: () => undefined };
    const workflow = (i: number): SourceFile => ({
      path: `.github/workflows/w${i}.yml`,
      abs: `/r/.github/workflows/w${i}.yml`,
      text: "on: push\npermissions:\n  id-token: write\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n",
    });
    // The workflow's `permissions` map: a `Map` as the parser made it, a compacted model's small map otherwise.
    // (An empty map is no witness: the workflow parser already gives every empty `with`/`env` EMPTY_MAP.)
    const scopes = (files: ParsedFile[]) => files[0]?.workflows[0]?.permissions?.scopes;
    const few = await parseAll([workflow(0), workflow(1)], env);
    expect(Object.getPrototypeOf(scopes(few)) === Map.prototype).toBe(true);
    const many = await parseAll(
      Array.from({ length: COMPACT_ABOVE + 1 }, (_, i) => workflow(i)),
      env,
    );
    expect(many).toHaveLength(COMPACT_ABOVE + 1);
    expect(scopes(many)).toBeInstanceOf(Map);
    expect(Object.getPrototypeOf(scopes(many)) === Map.prototype).toBe(false);
  });

  it("leaves a batch parsed last as its parser made it; compacts it when files are parsed after it", async () => {
    const env: ParseEnv = { root: "/r", settings: defaultSettings(), readFile: () => undefined };
    const role = `resource "aws_iam_role" "r" {
  name = "deploy"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity", Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" } }] })
}
`;
    const sources: SourceFile[] = Array.from({ length: COMPACT_ABOVE + 1 }, (_, i) => ({
      path: `m${i}/main.tf`,
      abs: `/r/m${i}/main.tf`,
      text: i === 0 ? role : "",
    }));
    // The role's name is one literal: a compacted model shares one frozen array for such parts.
    const nameParts = (files: ParsedFile[]) =>
      files.find((f) => f.file === "m0/main.tf")?.policies[0]?.role?.name?.parts;
    const last = await parseAll(sources, env);
    expect(nameParts(last)).toEqual(["deploy"]);
    expect(Object.isFrozen(nameParts(last))).toBe(false);
    const workflow: SourceFile = {
      path: ".github/workflows/w.yml",
      abs: "/r/.github/workflows/w.yml",
      text: "on: push\n",
    };
    const later = {
      matches: (p: string) => p.endsWith(".yml"),
      start: () => Promise.resolve(),
      each: (f: ParsedFile) => Promise.resolve(f),
    };
    const before = await parseAll([...sources, workflow], env, undefined, later);
    expect(nameParts(before)).toEqual(["deploy"]);
    expect(Object.isFrozen(nameParts(before))).toBe(true);
  });

  it("keeps every value of every fixture's model", async () => {
    const models = await parseFixtures();
    const kinds = new Set(models.map((m) => m.format));
    // Workflows, actions, Terraform, CloudFormation, JSON policies and programs are all among them.
    expect(kinds.size).toBeGreaterThanOrEqual(6);
    const before = structuredClone(models);
    new ModelCompactor().compact(models);
    expect(models).toEqual(before);
  });

  it("shares empty maps, copies arrays once, and leaves frozen values alone", () => {
    const loc = { file: "a.yml", line: 1, column: 1, endLine: 1, endColumn: 2 };
    const shared = ["x"];
    const frozen = Object.freeze({ items: Object.freeze([] as string[]) });
    const grown: string[] = [];
    for (let i = 0; i < 3; i++) grown.push(`item-${i}`);
    const model = {
      file: "a.yml",
      one: { with: new Map<string, string>(), env: new Map([["K", "v"]]), list: shared, loc },
      two: { with: new Map<string, string>(), list: shared, grown },
      frozen,
    };
    const file = { model } as unknown as ParsedFile;
    new ModelCompactor().compact([file]);
    expect(model.one.with).toBe(EMPTY_MAP);
    expect(model.two.with).toBe(EMPTY_MAP);
    expect(model.one.env).toEqual(new Map([["K", "v"]]));
    expect(model.one.list).toBe(model.two.list);
    expect(model.one.list).not.toBe(shared);
    expect(model.two.grown).toEqual(["item-0", "item-1", "item-2"]);
    expect(model.frozen).toBe(frozen);
    expect(model.one.loc).toBe(loc);
    expect(() => model.one.with.set("k", "v")).toThrow(/cannot be changed/);
    expect(EMPTY_MAP.size).toBe(0);
  });

  it("gives back equal strings (one shared copy per run, not a slice of a source text)", () => {
    const text = `${"x".repeat(1000)} role-to-assume: arn:aws:iam::123456789012:role/deploy`;
    const value = text.slice(text.indexOf("arn:"));
    const again = text.slice(text.indexOf("arn:"));
    const files = [0, 1].map((i) => ({ file: `w${i}.yml`, value: i === 0 ? value : again }));
    const compactor = new ModelCompactor();
    compactor.compact(files as unknown as ParsedFile[]);
    expect(files[0]?.value).toBe("arn:aws:iam::123456789012:role/deploy");
    expect(files[1]?.value).toBe(files[0]?.value);
    expect(compactor.string(value)).toBe(value);
  });

  it("shares the parts of one-literal and one-unknown values across the run, frozen", () => {
    const loc = { file: "a.yml", line: 1, column: 1, endLine: 1, endColumn: 2 };
    const files = [0, 1].map((i) => ({
      file: `w${i}.yml`,
      run: { parts: ["npm ci"], loc },
      region: { parts: [{ unknown: "env.AWS_REGION" }], loc },
      mixed: { parts: ["arn:", { unknown: "var.x" }], loc },
    }));
    const compactor = new ModelCompactor();
    compactor.compact([files[0] as unknown as ParsedFile]);
    compactor.compact([files[1] as unknown as ParsedFile]);
    expect(files[0]?.run.parts).toEqual(["npm ci"]);
    expect(files[1]?.run.parts).toBe(files[0]?.run.parts);
    expect(Object.isFrozen(files[0]?.run.parts)).toBe(true);
    expect(() => files[1]?.run.parts.push("x")).toThrow(TypeError);
    expect(files[1]?.region.parts).toEqual([{ unknown: "env.AWS_REGION" }]);
    expect(files[1]?.region.parts).toBe(files[0]?.region.parts);
    expect(Object.isFrozen(files[1]?.region.parts[0])).toBe(true);
    expect(files[1]?.mixed.parts).not.toBe(files[0]?.mixed.parts);
    expect(files[1]?.mixed.parts).toEqual(["arn:", { unknown: "var.x" }]);
  });

  it("survives a model deeper than its depth bound and values shared many times over", () => {
    let deep: unknown = { leaf: "end" };
    for (let i = 0; i < 1500; i++) deep = { next: deep };
    // 40 levels, each referring twice to the one below: 2^40 paths, walked once each node.
    let dag: unknown = { leaf: ["v"] };
    for (let i = 0; i < 40; i++) dag = { a: dag, b: dag };
    const file = { deep } as unknown as ParsedFile;
    const before = structuredClone(file);
    new ModelCompactor().compact([file, { dag } as unknown as ParsedFile]);
    expect(file).toEqual(before);
    let node = dag as { a: unknown; b: unknown; leaf?: string[] };
    for (let i = 0; i < 40; i++) {
      expect(node.a).toBe(node.b);
      node = node.a as typeof node;
    }
    expect(node.leaf).toEqual(["v"]);
  });

  it("stores small maps compactly and reads them as maps, in order; larger maps stay maps", () => {
    const loc = { file: "a.yml", line: 1, column: 1, endLine: 1, endColumn: 2 };
    const entries = (n: number): [string, string][] => Array.from({ length: n }, (_, i) => [`k${i}`, `v${i}`]);
    const maps = [1, 2, 3, 8, 9].map((n) => new Map(entries(n)));
    const model = { maps, withLoc: new Map([["role-to-assume", loc]]), nan: new Map([[Number.NaN, "x"]]) };
    new ModelCompactor().compact([model as unknown as ParsedFile]);
    for (const [i, n] of [1, 2, 3, 8, 9].entries()) {
      const m = model.maps[i] as Map<string, string>;
      expect(m).toBeInstanceOf(Map);
      expect(m.constructor).toBe(Map);
      expect(Object.prototype.toString.call(m)).toBe("[object Map]");
      expect(m.size).toBe(n);
      expect([...m]).toEqual(entries(n));
      expect([...m.keys()]).toEqual(entries(n).map(([k]) => k));
      expect([...m.values()]).toEqual(entries(n).map(([, v]) => v));
      const seen: string[] = [];
      m.forEach((v, k, self) => {
        expect(self).toBe(m);
        seen.push(`${k}=${v}`);
      });
      expect(seen).toEqual(entries(n).map(([k, v]) => `${k}=${v}`));
      expect(m.get(`k${n - 1}`)).toBe(`v${n - 1}`);
      expect(m.has(`k${n}`)).toBe(false);
      expect(m.get(`k${n}`)).toBeUndefined();
      expect(m).toEqual(new Map(entries(n)));
      expect(m).not.toEqual(new Map(entries(n + 1)));
      expect(new Map(m)).toEqual(new Map(entries(n)));
    }
    // Beyond 8 entries a lookup is a hash lookup again: a real Map.
    expect(Object.getPrototypeOf(model.maps[4])).toBe(Map.prototype);
    expect(Object.getPrototypeOf(model.maps[0]) === Map.prototype).toBe(false);
    expect(model.withLoc.get("role-to-assume")).toBe(loc);
    expect(model.nan.get(Number.NaN)).toBe("x");
    expect(() => model.maps[0]?.set("k", "v")).toThrow(/cannot be changed/);
    expect(() => model.maps[1]?.delete("k0")).toThrow(/cannot be changed/);
    expect(() => model.maps[2]?.clear()).toThrow(/cannot be changed/);
    expect(model.maps[2]?.size).toBe(3);
  });
});
