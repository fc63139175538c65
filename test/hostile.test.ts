/**
 * Issue 12: hostile repository content. Matching is linear (IAM wildcards, config globs, branch filters
 * against sub patterns), special files are never read, and a token never leaves the API origin. Each case
 * here is a crash or hang that was found, kept as a regression test.
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { defaultSettings } from "../src/config/settings.js";
import { ConfigError, resolveConfig } from "../src/config/load.js";
import { compileGlob } from "../src/engine/glob.js";
import { iamGlobMatches } from "../src/analysis/iam-glob.js";
import { findRefusedClaim, type PredictedValue } from "../src/analysis/iam-evaluation.js";
import type { PolicyDocument } from "../src/model/policy.js";
import { rules } from "../rules/index.js";
import { findingLines, ROOT, run, GOOD_WORKFLOW, GOOD_FINDING } from "./helpers.js";

const root = mkdtempSync(join(tmpdir(), "oidclint-hostile-"));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

export function repo(name: string, files: Record<string, string | Buffer>): string {
  const dir = join(root, name);
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), body);
  }
  return dir;
}

function cli(args: string[], cwd: string, input = ""): { code: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.GITHUB_REPOSITORY;
  // Standard input from a file: the run may stop reading it early.
  const inputFile = join(root, `stdin-${Math.random().toString(36).slice(2)}`);
  writeFileSync(inputFile, input);
  const fd = openSync(inputFile, "r");
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "oidclint.js"), ...args], {
    cwd,
    stdio: [fd, "pipe", "pipe"],
    encoding: "utf8",
    env,
    timeout: 60_000,
  });
  closeSync(fd);
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function trustPolicy(action: string, sub?: string): string {
  const condition: Record<string, unknown> = {
    StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
  };
  if (sub !== undefined) condition.StringLike = { "token.actions.githubusercontent.com:sub": sub };
  return JSON.stringify(
    {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
          Action: action,
          Condition: condition,
        },
      ],
    },
    null,
    2,
  );
}

describe("IAM wildcards are matched in linear time", () => {
  it.each([
    ["sts:*", "sts:AssumeRoleWithWebIdentity", true],
    ["STS:assumerole*", "sts:AssumeRoleWithWebIdentity", true],
    ["sts:AssumeRole?ithWebIdentity", "sts:AssumeRoleWithWebIdentity", true],
    ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", false],
    ["*Web*Identity", "sts:AssumeRoleWithWebIdentity", true],
    ["*Web*Identity?", "sts:AssumeRoleWithWebIdentity", false],
    ["s*s*s*y", "sts:AssumeRoleWithWebIdentity", true],
    ["a*b*a", "aba", true],
    ["a*b*a", "ab", false],
    ["**********X", "sts:AssumeRoleWithWebIdentity", false],
  ])("%s against %s: %s", (pattern, text, expected) => {
    expect(iamGlobMatches(pattern, text, true)).toBe(expected);
  });
  it("is case-sensitive unless asked", () => {
    expect(iamGlobMatches("sts.amazonaws.*", "STS.amazonaws.com")).toBe(false);
    expect(iamGlobMatches("sts.amazonaws.*", "sts.amazonaws.com")).toBe(true);
  });

  it("a 40,000-character Action and `**********X` are read, and the rest of the run is kept", async () => {
    const cwd = repo("long-action", {
      "long.json": trustPolicy(`s${"*".repeat(40000)}y`),
      "stars.json": trustPolicy("**********X"),
      "many.json": trustPolicy(`${"*a".repeat(20000)}*`),
    });
    // `s*…*y` matches sts:AssumeRoleWithWebIdentity: the statement trusts GitHub and has no sub condition.
    // `**********X` and 20,000 `a`s match nothing: those statements do not trust GitHub at all.
    expect(findingLines(await run({ cwd }), cwd, { withFile: true })).toEqual([
      "long.json:10:7 error missing-sub-condition/missing",
    ]);
  });
});

describe("large policies: per-statement analysis is linear", () => {
  it("1,000 principals: the one in another partition is found, its neighbours are not (partitions counted once)", async () => {
    const statement = (partition: string, i: number): Record<string, unknown> => ({
      Effect: "Allow",
      Principal: { Federated: `arn:${partition}:iam::123456789012:oidc-provider/token.actions.githubusercontent.com` },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: { "token.actions.githubusercontent.com:sub": `repo:acme/app${i}:ref:refs/heads/main` },
      },
    });
    const statements = Array.from({ length: 1000 }, (_, i) => statement(i === 700 ? "aws-cn" : "aws", i));
    const cwd = repo("many-statements", {
      "p.json": JSON.stringify({ Version: "2012-10-17", Statement: statements }, null, 1),
    });
    const report = await run({ cwd });
    expect(findingLines(report, cwd, { withFile: true }).filter((l) => l.includes("malformed-principal"))).toEqual([
      expect.stringMatching(/^p\.json:\d+:\d+ error malformed-principal\/partitionMismatch$/),
    ]);
    const mismatch = report.results.flatMap((r) => r.messages).find((m) => m.ruleId === "malformed-principal");
    expect(mismatch?.message).toContain("arn:aws-cn:iam::123456789012");
    expect(mismatch?.message).toContain("in `aws`");
  });
});

describe("findings per rule and file are capped (--max-per-rule)", () => {
  // 150 statements without `aud` and with `repo:acme/appN:*`: 150 findings each of audience-drift and
  // broad-sub-wildcard in one file.
  const statement = (i: number): Record<string, unknown> => ({
    Effect: "Allow",
    Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: { StringLike: { "token.actions.githubusercontent.com:sub": `repo:acme/app${i}:*` } },
  });
  const policy = JSON.stringify(
    { Version: "2012-10-17", Statement: Array.from({ length: 150 }, (_, i) => statement(i)) },
    null,
    1,
  );
  type Json = { errorCount: number; warningCount: number; messages: Record<string, unknown>[] }[];
  const byRule = (messages: Record<string, unknown>[], rule: string): Record<string, unknown>[] =>
    messages.filter((m) => m.ruleId === rule);

  it("shows the first 100 of a rule unchanged and one finding for the rest; counts and exit code count them all", () => {
    const cwd = repo("capped", { "p.json": policy });
    const all = cli(["--format", "json", "--max-per-rule", "0", "."], cwd);
    const capped = cli(["--format", "json", "."], cwd);
    expect(capped.code).toBe(0);
    expect(capped.code).toBe(all.code);
    const [full] = JSON.parse(all.stdout) as Json;
    const [shown] = JSON.parse(capped.stdout) as Json;
    expect(full?.messages).toHaveLength(300);
    expect(shown?.messages).toHaveLength(202);
    expect(shown?.warningCount).toBe(full?.warningCount);
    expect(shown?.warningCount).toBe(300);
    for (const rule of ["audience-drift", "broad-sub-wildcard"]) {
      const every = byRule(full?.messages ?? [], rule);
      const some = byRule(shown?.messages ?? [], rule);
      // Below the cap: the same findings, fix and fingerprint included.
      expect(some.slice(0, 100)).toEqual(every.slice(0, 100));
      const hidden = every[100];
      expect(some[100]).toMatchObject({
        ruleId: rule,
        messageId: "moreFindings",
        severity: 1,
        message: "… and 50 more findings of this rule in this file",
        line: hidden?.line,
        column: hidden?.column,
        fix: "Run with `--max-per-rule 0` to show every finding.",
      });
      expect(some[100]?.fingerprint).toMatch(/^[0-9a-f]{32}$/);
      expect(some[100]?.autofix).toBeUndefined();
    }
    // Stylish: one line for the rest, the summary counts every finding.
    const text = cli(["--no-color", "--max-per-rule", "2", "."], cwd);
    expect(text.stdout).toContain("… and 148 more findings of this rule in this file");
    expect(text.stdout).toContain("300 problems (0 errors, 300 warnings)");
    expect(text.stdout.split("\n").filter((l) => /warning/.test(l) && /audience-drift/.test(l))).toHaveLength(3);
  });

  it("SARIF carries the summary as a result of its rule; lint() and --fix see every finding", async () => {
    const cwd = repo("capped-sarif", { "p.json": policy });
    const sarif = JSON.parse(cli(["--format", "sarif", "."], cwd).stdout) as {
      runs: {
        results: { ruleId: string; message: { text: string }; partialFingerprints?: Record<string, string> }[];
      }[];
    };
    const results = sarif.runs[0]?.results ?? [];
    expect(results).toHaveLength(202);
    const summaries = results.filter((r) => r.message.text.startsWith("… and 50 more"));
    expect(summaries.map((r) => r.ruleId).sort()).toEqual(["audience-drift", "broad-sub-wildcard"]);
    expect(summaries.every((r) => Object.keys(r.partialFingerprints ?? {}).length > 0)).toBe(true);
    // The library API reports everything unless asked; --fix applies every fix, not only the shown ones.
    const report = await run({ cwd });
    expect(report.results[0]?.messages).toHaveLength(300);
    const fixed = cli(["--fix-dry-run", "."], cwd);
    expect(fixed.stderr).toContain("would fix 150 problems in 1 file");
    expect(cli(["--max-per-rule", "x", "."], cwd)).toMatchObject({ code: 2 });
  });
});

describe("JSON policies are lowered in one pass", () => {
  it("the tree (values and every position) is the one the YAML route gives, on every JSON fixture and edge case", async () => {
    const { readFileSync } = await import("node:fs");
    const { jsonToTree } = await import("../src/parsers/json-tree.js");
    const { parseJsonSource, yamlToTree } = await import("../src/parsers/yaml-source.js");
    const { LineIndex } = await import("../src/model/location.js");
    const listed = spawnSync("git", ["ls-files", "fixtures/**.json"], { cwd: ROOT, encoding: "utf8" });
    const texts = listed.stdout
      .split("\n")
      .filter((f) => f !== "")
      .map((f) => readFileSync(join(ROOT, f), "utf8").replace(/^\uFEFF/, ""));
    expect(texts.length).toBeGreaterThan(100);
    texts.push(
      '{"a":"x\\"y\\\\","b":[1,-0,1.0,1e5,-2.5E-3,true,false,null,{},[]],"c":"\\u00e9\\ud83d\\ude00 é 😀"}',
      ' \r\n{\r\n  "a" : [ ] , "b":{ } ,\t"c" : "\\n\\t\\/" }\r\n ',
      '{"Statement": {"Action": "a", "Action": "b"}}',
      '"only a string"',
      "[1e400, 12345678901234567890]",
    );
    let compared = 0;
    for (const text of texts) {
      const viaYaml = parseJsonSource("f.json", text);
      if (viaYaml.problems.length > 0) continue;
      expect(jsonToTree(text, new LineIndex("f.json", text))).toEqual(yamlToTree(viaYaml.doc.contents, viaYaml.index));
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });
});

describe("the one-pass JSON reader takes what JSON.parse takes, within the nesting limits", () => {
  /** What the reader must take: strict JSON (`JSON.parse`) that `nestingProblem` does not refuse. */
  async function expected(text: string): Promise<boolean> {
    const { nestingProblem } = await import("../src/parsers/yaml-source.js");
    try {
      JSON.parse(text);
    } catch {
      return false;
    }
    return nestingProblem(text) === undefined;
  }

  it("on edge cases and on every JSON fixture mutated one character at a time (fixed seed)", async () => {
    const fc = (await import("fast-check")).default;
    const { jsonToTree } = await import("../src/parsers/json-tree.js");
    const { LineIndex } = await import("../src/model/location.js");
    const takes = (text: string): boolean => jsonToTree(text, new LineIndex("f.json", text)) !== undefined;
    const edge = [
      "",
      " ",
      "{}",
      "[]",
      " \r\n\t[ ]\n",
      '{"a":1,}',
      "[1,]",
      "[,1]",
      "01",
      "-",
      "-0",
      "-01",
      "1.",
      ".5",
      "1e",
      "1e+",
      "1E-2",
      "1.5e+10",
      "2.",
      "+1",
      "0x1",
      "NaN",
      "Infinity",
      "tru",
      "nul",
      "true false",
      "truex",
      "[true,null,false]",
      '{"a" 1}',
      '{"a":1 "b":2}',
      "[1 2]",
      "{1:2}",
      "{'a':1}",
      "\uFEFF{}",
      '{"a":1}}',
      '{"a":1}]',
      "[1]]",
      '"\\x"',
      '"\\u12"',
      '"\\u12G4"',
      '"\\u00e9\\/\\b\\f"',
      '"a\tb"',
      '"a\u007fb"',
      '"\u2028"',
      '"unterminated',
      '"a"b"',
      `${"[".repeat(200)}${"]".repeat(200)}`,
      `${"[".repeat(201)}${"]".repeat(201)}`,
      `["${"[".repeat(199)}"]`,
      `["${"[".repeat(200)}"]`,
      `["${"]".repeat(300)}", ${"[".repeat(199)}${"]".repeat(199)}]`,
      `{"a": "${"{".repeat(100)}", "b": ${"[".repeat(100)}${"]".repeat(100)}}`,
      `[\n${" ".repeat(400)}1]`,
      `[\n${" ".repeat(401)}1]`,
      `${" ".repeat(401)}1`,
      `[\n\t${" ".repeat(401)}1]`,
      `[\r\n${" ".repeat(401)}1]`,
      `[1,${" ".repeat(500)}2]`,
    ];
    for (const text of edge) expect([text, takes(text)]).toEqual([text, await expected(text)]);
    const listed = spawnSync("git", ["ls-files", "fixtures/**.json"], { cwd: ROOT, encoding: "utf8" });
    const texts = listed.stdout
      .split("\n")
      .filter((f) => f !== "")
      .map((f) => readFileSync(join(ROOT, f), "utf8").replace(/^\uFEFF/, ""))
      .filter((t) => t.length < 20000);
    expect(texts.length).toBeGreaterThan(100);
    const chars = [
      '"',
      "\\",
      "{",
      "}",
      "[",
      "]",
      ",",
      ":",
      " ",
      "\n",
      "\t",
      "0",
      "1",
      "-",
      "+",
      ".",
      "e",
      "u",
      "t",
      "x",
      "\u0001",
    ];
    const mutation = fc.record({
      text: fc.constantFrom(...texts),
      at: fc.nat(),
      op: fc.constantFrom("insert", "delete", "replace"),
      ch: fc.constantFrom(...chars),
    });
    let taken = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(mutation, async ({ text, at, op, ch }) => {
        const i = at % (text.length + 1);
        const mutated =
          op === "insert"
            ? text.slice(0, i) + ch + text.slice(i)
            : op === "delete"
              ? text.slice(0, i) + text.slice(i + 1)
              : text.slice(0, i) + ch + text.slice(i + 1);
        const want = await expected(mutated);
        if (want) taken++;
        else refused++;
        expect(takes(mutated)).toBe(want);
      }),
      { seed: 20261207, numRuns: 3000 },
    );
    // Both sides are exercised.
    expect(taken).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(300);
  });

  it("statements read before the reader gives up are dropped: the file has its parse problem and nothing else", async () => {
    const statement = (
      JSON.parse(trustPolicy("sts:AssumeRoleWithWebIdentity", "repo:acme/app:*")) as { Statement: unknown[] }
    ).Statement[0];
    const strict = JSON.stringify({ Version: "2012-10-17", Statement: [statement, statement] });
    const cwd = repo("json-late-refusal", {
      "strict/p.json": strict,
      // Refused after both statements were read: a single-quoted key, and brackets nested too deep in a string.
      "quoted/p.json": `${strict.slice(0, -1)}, 'Extra': 1}`,
      "deep/p.json": `${strict.slice(0, -1)}, "Extra": "${"[".repeat(250)}"}`,
    });
    const report = await run({ cwd });
    const lines = (dir: string): string[] =>
      findingLines(report, cwd, { withFile: true }).filter((l) => l.startsWith(`${dir}/`));
    expect(lines("strict")).toEqual([
      "strict/p.json:1:349 warn broad-sub-wildcard/anyContext",
      "strict/p.json:1:681 warn broad-sub-wildcard/anyContext",
    ]);
    expect(lines("quoted")).toEqual(["quoted/p.json:1:704 error parse-error/unparsable"]);
    expect(lines("deep")).toHaveLength(1);
    expect(lines("deep")[0]).toMatch(/^deep\/p\.json:1:\d+ error parse-error\/unparsable$/);
  });
});

describe("many files", () => {
  it("files that no format can take (empty `.json`, YAML that is no template) are dropped when read, never parsed", async () => {
    const { loadProject } = await import("../src/engine/load-project.js");
    const files: Record<string, string> = { "policies/p.json": trustPolicy("sts:AssumeRoleWithWebIdentity") };
    for (let i = 0; i < 300; i++) files[`d${i % 10}/f${i}.json`] = "";
    files["config.yml"] = "name: not a template\n";
    files["package-data.json"] = '{"name": "x"}';
    const cwd = repo("many-empty", files);
    spawnSync("git", ["init", "-q", cwd]);
    const loaded = await loadProject({ cwd, rules });
    expect(loaded.sources.map((s) => s.path)).toEqual(["policies/p.json"]);
    expect(loaded.project.policies).toHaveLength(1);
    expect(findingLines(await run({ cwd }), cwd, { withFile: true })).toEqual([
      "policies/p.json:10:7 error missing-sub-condition/missing",
    ]);
  });
  it("a file over the 8 MiB limit is reported when its start shows an input, never skipped silently", async () => {
    const padding = "x".repeat(8.5 * 1024 * 1024);
    const cwd = repo("over-limit", {
      "big-policy.json": `{"Version": "2012-10-17", "Statement": [], "Padding": "${padding}"}`,
      "big-data.json": `{"rows": "${padding}"}`,
    });
    const report = await run({ cwd });
    expect(findingLines(report, cwd, { withFile: true })).toEqual(["big-policy.json:1:1 error parse-error/unparsable"]);
    expect(report.results.flatMap((r) => r.messages.map((m) => m.message))).toEqual([
      "file is 8.5 MiB, over the 8 MiB oidclint reads; not linted",
    ]);
  });
  it("an empty workflow is still an input (its path makes it one); a Terraform file no module reads is dropped once read", async () => {
    const { loadProject } = await import("../src/engine/load-project.js");
    const cwd = repo("empty-inputs", {
      ".github/workflows/empty.yml": "",
      "main.tf": "",
      "outputs.tf": 'output "bucket" {\n  value = aws_s3_bucket.state.id\n}\n',
      "variables.tf": 'variable "org" {}\n',
      "prod.tfvars": 'org = "acme"\n',
      "terraform.tfvars": 'org = "acme"\n',
      "x.json": "",
    });
    const loaded = await loadProject({ cwd, rules });
    expect(loaded.sources.map((s) => s.path).sort()).toEqual([
      ".github/workflows/empty.yml",
      "terraform.tfvars",
      "variables.tf",
    ]);
  });
  it("the ignore list is one automaton: each glob of it still matches on its own", async () => {
    const { globMatcher } = await import("../src/engine/glob.js");
    const ignored = globMatcher(["**/node_modules/**", "**/package.json", "legacy", "x[0-9].json"]);
    expect(
      [
        "a/node_modules/b.json",
        "package.json",
        "a/package.json",
        "src/legacy/p.json",
        "x1.json",
        "x.json",
        "a/b.json",
      ].map(ignored),
    ).toEqual([true, true, true, true, true, false, false]);
  });
});

describe("trust-mismatch search stays bounded", () => {
  const loc = { file: "t.json", line: 1, column: 1, endLine: 1, endColumn: 1 };
  const s = (text: string): { parts: string[]; loc: typeof loc } => ({ parts: [text], loc });
  function policy(sub: string): PolicyDocument {
    return {
      kind: "trust",
      loc,
      source: "test",
      statements: [
        {
          effect: s("Allow"),
          principals: [
            {
              type: { value: "Federated", loc },
              values: { items: [s("arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com")], loc },
            },
          ],
          notPrincipal: false,
          anyPrincipal: false,
          actions: { items: [s("sts:AssumeRoleWithWebIdentity")], loc },
          notAction: false,
          conditions: [
            {
              operator: { value: "StringLike", loc },
              key: s("token.actions.githubusercontent.com:sub"),
              values: { items: [s(sub)], loc },
              loc,
            },
          ],
          loc,
        },
      ],
    };
  }
  const claims = new Map<string, PredictedValue>([
    ["sub", { kind: "pieces", pieces: ["repo:acme/app:ref:refs/heads/", { hole: true }] }],
  ]);
  const settings = defaultSettings();

  it("long wildcards against `**a**a…` filters: a verdict or undecided, never a hang", () => {
    const cases: [string, string][] = [
      [`repo:acme/app:ref:refs/heads/${"*a".repeat(400)}*`, "**a**b".repeat(100)],
      [`repo:acme/app:ref:refs/heads/${"*".repeat(800)}b`, "**a".repeat(300)],
      [`repo:acme/app:ref:refs/heads/${"*a".repeat(200)}*`, "**a".repeat(200)],
    ];
    for (const [sub, filter] of cases) {
      const started = process.cpuUsage();
      const verdict = findRefusedClaim([policy(sub)], claims, settings, { include: [filter] }).verdict;
      const used = process.cpuUsage(started);
      expect(["refused", "accepted", "undecided"]).toContain(verdict);
      // Generous: the bound is ~0.5 s; CI machines are shared.
      expect((used.user + used.system) / 1e6).toBeLessThan(10);
    }
  });
  it("ordinary patterns still get a verdict with a readable example", () => {
    expect(
      findRefusedClaim([policy("repo:acme/app:ref:refs/heads/main")], claims, settings, { include: ["release/**"] }),
    ).toEqual({ verdict: "refused", example: "release/a" });
    expect(
      findRefusedClaim([policy("repo:acme/app:ref:refs/heads/release/*")], claims, settings, {
        include: ["release/**"],
      }),
    ).toEqual({ verdict: "accepted" });
    expect(
      findRefusedClaim([policy(`repo:acme/app:ref:refs/heads/${"*".repeat(500)}`)], claims, settings, {
        include: ["**"],
      }),
    ).toEqual({ verdict: "accepted" });
    expect(
      findRefusedClaim([policy("repo:acme/app:ref:refs/heads/*a*a*a")], claims, settings, { include: ["**a**a"] }),
    ).toEqual({ verdict: "refused", example: "aa" });
  });
});

describe("config globs", () => {
  it.each([
    ["legacy/**", "legacy/a/b.json", true],
    ["*.json", "deep/dir/trust.json", true],
    ["*.json", "deep/dir/trust.yml", false],
    ["policies/*.json", "policies/sub/x.json", false],
    ["{a,b}/x.tf", "b/x.tf", true],
    ["{a,b}/x.tf", "c/x.tf", false],
    ["infra/**/*.tf", "infra/x.tf", true],
    ["infra/**/*.tf", "infra/a/b/x.tf", true],
    ["legacy", "src/legacy/x.json", true],
    ["[a-c]?.json", "dir/b1.json", true],
    ["[!a-c]?.json", "dir/b1.json", false],
    ["[!a-c]?.json", "dir/d1.json", true],
    ["?.json", "a/b.json", true],
    ["a?b", "a/b", false],
  ])("%s matches %s: %s", (glob, path, expected) => {
    expect(compileGlob(glob)(path)).toBe(expected);
  });
  it("`*a*a…b` against a long path answers at once", () => {
    const glob = `${"*a".repeat(200)}b`;
    const path = `${"a".repeat(5000)}/x`;
    const started = process.cpuUsage();
    expect(compileGlob(glob)(path)).toBe(false);
    expect(compileGlob(glob)(`${"a".repeat(300)}b`)).toBe(true);
    expect(process.cpuUsage(started).user / 1e6).toBeLessThan(5);
  });
  it("a malformed class is a config error naming its place (exit 2), not an internal error", async () => {
    const cwd = repo("bad-glob", {
      ".oidclintrc.json": JSON.stringify({
        ignore: ["ok/**", "[z-a]"],
        overrides: [{ files: ["x", "y[9-0]"], rules: {} }],
      }),
      "policy.json": trustPolicy("sts:AssumeRoleWithWebIdentity"),
    });
    const err = await resolveConfig({ cwd, rules, env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).details).toEqual([
      'ignore.1: character range z-a is out of order in "[z-a]"',
      'overrides.0.files.1: character range 9-0 is out of order in "y[9-0]"',
    ]);
    const r = cli(["."], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("ignore.1: character range z-a is out of order");
    expect(r.stderr).not.toContain("internal error");
  });
  it("a hostile ignore glob costs nothing outside git either", async () => {
    const cwd = repo("hostile-ignore", {
      ".oidclintrc.json": JSON.stringify({ ignore: [`${"*a".repeat(60)}b`, "skipped/**"] }),
      [`${"a".repeat(100)}/policy.json`]: trustPolicy("sts:AssumeRoleWithWebIdentity"),
      "skipped/policy.json": trustPolicy("sts:AssumeRoleWithWebIdentity"),
    });
    expect(findingLines(await run({ cwd }), cwd, { withFile: true })).toEqual([
      `${"a".repeat(100)}/policy.json:10:7 error missing-sub-condition/missing`,
    ]);
  });
});

function mkfifo(path: string): void {
  const r = spawnSync("mkfifo", [path]);
  if (r.status !== 0) throw new Error(`mkfifo failed: ${r.stderr.toString()}`);
}

function git(cwd: string, ...args: string[]): void {
  spawnSync("git", ["-C", cwd, "-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { stdio: "ignore" });
}

describe("special files and symbolic links", () => {
  it("a FIFO named on the command line or as --context is never opened for reading", async () => {
    const cwd = repo("fifo", { ".github/workflows/good.yml": GOOD_WORKFLOW });
    mkfifo(join(cwd, "pipe.json"));
    const config = await resolveConfig({ cwd, rules, env: {} });
    const { lint } = await import("../src/engine/lint.js");
    const report = await lint({ cwd, config, paths: [".github", "pipe.json"], contextPaths: ["pipe.json"] });
    expect(findingLines(report, cwd, { withFile: true })).toEqual([
      GOOD_FINDING,
      "pipe.json:1:1 error parse-error/unparsable",
    ]);
    expect(report.results.find((r) => r.filePath.endsWith("pipe.json"))?.messages[0]?.message).toContain(
      "is a FIFO, not a regular file; not read",
    );
    // Walked, it is skipped by discovery (not a file) and nothing waits.
    expect(findingLines(await run({ cwd }), cwd, { withFile: true })).toEqual([GOOD_FINDING]);
  });
  it("--config and repositoriesFile naming a FIFO are config errors (exit 2), never a wait", () => {
    const cwd = repo("fifo-config", { ".github/workflows/good.yml": GOOD_WORKFLOW });
    mkfifo(join(cwd, "config.json"));
    const r = cli(["--config", "config.json", "."], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is a FIFO, not a regular file");
    const cwd2 = repo("fifo-repos", {
      ".github/workflows/good.yml": GOOD_WORKFLOW,
      ".oidclintrc.json": JSON.stringify({ repositoriesFile: "repos.txt" }),
    });
    mkfifo(join(cwd2, "repos.txt"));
    const r2 = cli(["."], cwd2);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("repositoriesFile: cannot read");
    expect(r2.stderr).toContain("is a FIFO");
  });
  it("/dev/zero behind a symlink is not read; links out of the repository are not followed, named or git-tracked", async () => {
    const outside = repo("outside", { "secret-policy.json": trustPolicy("sts:AssumeRoleWithWebIdentity") });
    const cwd = repo("links", {
      ".github/workflows/good.yml": GOOD_WORKFLOW,
      "inside.json": trustPolicy("sts:AssumeRoleWithWebIdentity", "repo:acme/app:ref:refs/heads/main"),
    });
    const { symlinkSync } = await import("node:fs");
    symlinkSync("/dev/zero", join(cwd, "zero.json"));
    symlinkSync(join(outside, "secret-policy.json"), join(cwd, "linked.json"));
    symlinkSync("inside.json", join(cwd, "same-repo.json"));
    git(cwd, "init", "-q");
    git(cwd, "add", "-A");
    git(cwd, "commit", "-qm", "x");
    const walked = await run({ cwd });
    expect(findingLines(walked, cwd, { withFile: true })).toEqual([
      GOOD_FINDING,
      "linked.json:1:1 error parse-error/unparsable",
      "zero.json:1:1 error parse-error/unparsable",
    ]);
    const messages = walked.results.flatMap((r) =>
      r.messages.filter((m) => m.ruleId === "parse-error").map((m) => m.message),
    );
    expect(messages).toEqual([
      "symbolic link to a file outside the repository; not read",
      "symbolic link to a file outside the repository; not read",
    ]);
    const named = await run({ cwd, paths: ["linked.json", "zero.json", "same-repo.json"] });
    expect(findingLines(named, cwd, { withFile: true })).toEqual([
      "linked.json:1:1 error parse-error/unparsable",
      "zero.json:1:1 error parse-error/unparsable",
    ]);
  });
  it("a directory named on the command line that is a link out of the repository: its files are not read", async () => {
    const outside = repo("dir-outside", { "sub/secret-policy.json": trustPolicy("sts:AssumeRoleWithWebIdentity") });
    git(outside, "init", "-q");
    const cwd = repo("dir-link", { ".github/workflows/good.yml": GOOD_WORKFLOW });
    git(cwd, "init", "-q");
    const { symlinkSync } = await import("node:fs");
    symlinkSync(join(outside, "sub"), join(cwd, "linked"));
    // git lists the other repository's files; the path through the link is not where they are.
    const named = await run({ cwd, paths: ["linked"] });
    expect(findingLines(named, cwd, { withFile: true })).toEqual([
      "linked/secret-policy.json:1:1 error parse-error/unparsable",
    ]);
    expect(named.results[0]?.messages[0]?.message).toBe("symbolic link to a file outside the repository; not read");
  });
  it("files an input references are read inside the repository only, regular and bounded", async () => {
    const { referencedFileReader } = await import("../src/engine/read-file.js");
    const outside = repo("ref-outside", { "secret.txt": "secret" });
    const cwd = repo("ref", { "policy.json": "{}", ".git/HEAD": "ref: refs/heads/main\n" });
    const { symlinkSync } = await import("node:fs");
    symlinkSync("/dev/zero", join(cwd, "zero.tpl"));
    symlinkSync(join(outside, "secret.txt"), join(cwd, "secret.tpl"));
    mkfifo(join(cwd, "pipe.tpl"));
    const read = referencedFileReader(cwd);
    expect(read("policy.json")).toBe("{}");
    expect(read("zero.tpl")).toBeUndefined();
    expect(read("pipe.tpl")).toBeUndefined();
    expect(read("secret.tpl")).toBeUndefined();
    expect(read(join(outside, "secret.txt"))).toBeUndefined();
    expect(read("../ref-outside/secret.txt")).toBeUndefined();
  });
  it("repositoriesFile of a config found in the repository stays inside it; a config named on the command line may point anywhere", async () => {
    const outside = repo("repos-outside", { "list.txt": "acme/app\n" });
    const cwd = repo("repos-confined", {
      ".oidclintrc.json": JSON.stringify({ repositoriesFile: join(outside, "list.txt") }),
      ".git/HEAD": "ref: refs/heads/main\n",
    });
    const err = await resolveConfig({ cwd, rules, env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain("outside the repository");
    const named = await resolveConfig({ cwd, rules, env: {}, configFile: ".oidclintrc.json" });
    expect(named.settings.repositories).toEqual(["acme/app"]);
  });
  it("standard input has the same size limit as files", () => {
    const cwd = repo("stdin", { "README.md": "x" });
    const r = cli(["--stdin", "--stdin-filename", "policy.json"], cwd, " ".repeat(9 * 1024 * 1024));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("standard input is over the 8 MiB oidclint reads");
  });
});

describe("--online never sends the token to another origin", () => {
  it("a redirect to another host is not followed; a same-origin redirect is", async () => {
    const { createServer } = await import("node:http");
    const { fetchRepoStatuses } = await import("../src/engine/online.js");
    const stolen: string[] = [];
    const thief = createServer((req, res) => {
      stolen.push(req.headers.authorization ?? "(none)");
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ full_name: "evil/repo" }));
    });
    await new Promise<void>((r) => thief.listen(0, "127.0.0.1", r));
    const thiefUrl = `http://127.0.0.1:${(thief.address() as { port: number }).port}`;
    const seenAuth: string[] = [];
    const api = createServer((req, res) => {
      seenAuth.push(`${req.url ?? ""} ${req.headers.authorization ?? "(none)"}`);
      const redirects: Record<string, [number, string]> = {
        "/repos/acme/a": [301, `${thiefUrl}/repos/x`],
        "/repos/acme/b": [302, `${thiefUrl}/repos/x`],
        "/repos/acme/c": [307, `//127.0.0.1:${(thief.address() as { port: number }).port}/x`],
        "/repos/acme/d": [308, `${thiefUrl}/repos/x`],
        "/repos/acme/moved": [301, "/repositories/7"],
      };
      const r = redirects[req.url ?? ""];
      if (r) {
        res.writeHead(r[0], { location: r[1] });
        res.end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ full_name: req.url === "/repositories/7" ? "acme/new" : "acme/x" }));
    });
    await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
    try {
      const apiUrl = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
      const out = await fetchRepoStatuses(["acme/a", "acme/b", "acme/c", "acme/d", "acme/moved", "acme/../../user"], {
        apiUrl,
        token: "SECRET-TOKEN",
      });
      expect(stolen).toEqual([]);
      for (const r of ["acme/a", "acme/b", "acme/c", "acme/d"])
        expect(out.get(r)).toMatchObject({
          kind: "error",
          message: expect.stringContaining("to another host") as unknown,
        });
      expect(out.get("acme/moved")).toEqual({ kind: "renamed", fullName: "acme/new" });
      expect(seenAuth).toContain("/repositories/7 Bearer SECRET-TOKEN");
      // A name from a policy stays one path segment each.
      expect(seenAuth.filter((s) => s.includes("user"))).toEqual(["/repos/acme/..%2F..%2Fuser Bearer SECRET-TOKEN"]);
      expect((await fetchRepoStatuses(["../user"], { apiUrl, token: "SECRET-TOKEN" })).get("../user")).toEqual({
        kind: "error",
        message: "not a repository name",
      });
    } finally {
      api.close();
      thief.close();
    }
  });
});

describe("check --token", () => {
  it("a claim nested 10,000 deep is not a claim; no internal error", () => {
    const cwd = repo("jwt", {
      "trust.json": trustPolicy("sts:AssumeRoleWithWebIdentity", "repo:acme/app:ref:refs/heads/main"),
    });
    const b64 = (o: string): string => Buffer.from(o).toString("base64url");
    const payload = `{"sub":"repo:acme/app:ref:refs/heads/main","aud":"sts.amazonaws.com","deep":${"[".repeat(10000)}${"]".repeat(10000)},"list":["a",${"[".repeat(10000)}${"]".repeat(10000)}]}`;
    const token = `${b64('{"alg":"none"}')}.${b64(payload)}.sig`;
    const r = cli(["check", "--policy", "trust.json", "--token", token], cwd);
    expect(r.stderr).not.toContain("internal error");
    expect(r.code).toBe(0);
  });
});

describe("a broken file reports its own problem", () => {
  it("policy, get-role, CloudFormation and plan files with a bad byte or a NUL are parse errors, unrelated data stays silent", async () => {
    const bad = (text: string, at: string, byte: number): Buffer => {
      const i = text.indexOf(at);
      return Buffer.concat([Buffer.from(text.slice(0, i)), Buffer.from([byte]), Buffer.from(text.slice(i))]);
    };
    const policy = trustPolicy("sts:AssumeRoleWithWebIdentity", "repo:acme/app:ref:refs/heads/main");
    const getRole = JSON.stringify(
      { Role: { RoleName: "deploy", AssumeRolePolicyDocument: JSON.parse(policy) as unknown } },
      null,
      2,
    );
    const cfn =
      "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: deploy\n";
    const plan = JSON.stringify(
      { format_version: "1.2", terraform_version: "1.9.0", planned_values: { root_module: {} } },
      null,
      2,
    );
    const cwd = repo("broken-bytes", {
      ".github/workflows/good.yml": GOOD_WORKFLOW,
      "policy.json": bad(policy, "Allow", 0xff),
      "nul-policy.json": bad(policy, "Allow", 0),
      "late-nul-policy.json": Buffer.concat([
        Buffer.from(`${policy.slice(0, -1)}${"\n".repeat(9000)}`),
        Buffer.from([0]),
        Buffer.from("}"),
      ]),
      "role.json": bad(getRole, "deploy", 0xc3),
      "template.yaml": bad(cfn, "deploy", 0xfe),
      "plan.json": bad(plan, "1.9.0", 0),
      "data/unrelated.json": bad('{"name": "x"}', "x", 0xff),
    });
    expect(findingLines(await run({ cwd }), cwd, { withFile: true })).toEqual([
      GOOD_FINDING,
      "late-nul-policy.json:9020:1 error parse-error/unparsable",
      "nul-policy.json:1:1 error parse-error/unparsable",
      "plan.json:1:1 error parse-error/unparsable",
      "policy.json:5:18 error parse-error/unparsable",
      "role.json:3:18 error parse-error/unparsable",
      "template.yaml:6:17 error parse-error/unparsable",
    ]);
  });
});

describe("isolation and exit codes", () => {
  it("a rule that throws is reported (exit 2) and every other rule's findings are kept", async () => {
    const { vi } = await import("vitest");
    const { main } = await import("../src/cli.js");
    const broken = rules.find((r) => r.meta.id === "missing-sub-condition");
    if (!broken) throw new Error("rule missing");
    const cwd = repo("rule-throws", {
      ".github/workflows/good.yml": GOOD_WORKFLOW,
      "open.json": trustPolicy("sts:AssumeRoleWithWebIdentity"),
    });
    const spy = vi.spyOn(broken, "check").mockImplementation(() => {
      throw new Error("boom \u001b[31m");
    });
    try {
      const report = await run({ cwd });
      expect(report.ruleErrors).toEqual([{ ruleId: "missing-sub-condition", message: "boom \u001b[31m" }]);
      expect(findingLines(report, cwd, { withFile: true })).toEqual([GOOD_FINDING]);
      const cliRun = async (format: string): Promise<{ code: number; out: string; err: string }> => {
        let out = "";
        let err = "";
        const code = await main(["--format", format, "."], {
          stdout: (s) => (out += s),
          stderr: (s) => (err += s),
          readStdin: () => Promise.resolve(""),
          isTTY: false,
          cwd,
          env: {},
        });
        return { code, out, err };
      };
      const text =
        "internal error in rule missing-sub-condition: boom \u001b[31m; its findings are incomplete; please report it";
      const asJson = await cliRun("json");
      expect(asJson.code).toBe(2);
      expect(asJson.err).toContain("internal error in rule missing-sub-condition: boom");
      expect(asJson.err).not.toContain("\u001b");
      // JSON: the files' results, then one result for the linted directory with a fatal message per failed rule.
      const results = JSON.parse(asJson.out) as { filePath: string; messages: Record<string, unknown>[] }[];
      expect(results.map((r) => relative(cwd, r.filePath))).toEqual([".github/workflows/good.yml", "open.json", ""]);
      expect(results.at(-1)).toEqual({
        filePath: cwd,
        messages: [
          {
            ruleId: "missing-sub-condition",
            messageId: "internalError",
            severity: 2,
            fatal: true,
            message: text,
            line: 1,
            column: 1,
            endLine: 1,
            endColumn: 1,
          },
        ],
        errorCount: 1,
        fatalErrorCount: 1,
        warningCount: 0,
      });
      // SARIF: the run's invocation failed, with a tool notification naming the rule.
      const asSarif = await cliRun("sarif");
      expect(asSarif.code).toBe(2);
      const sarifRun = (JSON.parse(asSarif.out) as { runs: Record<string, unknown>[] }).runs[0];
      const ruleIds = (sarifRun?.tool as { driver: { rules: { id: string }[] } }).driver.rules.map((r) => r.id);
      expect(sarifRun?.invocations).toEqual([
        {
          executionSuccessful: false,
          toolExecutionNotifications: [
            {
              level: "error",
              message: { text },
              associatedRule: { id: "missing-sub-condition", index: ruleIds.indexOf("missing-sub-condition") },
            },
          ],
        },
      ]);
      expect(ruleIds.indexOf("missing-sub-condition")).toBeGreaterThanOrEqual(0);
    } finally {
      spy.mockRestore();
    }
  });
  it("lint() resolves when a parser never settles: that file is reported, the others kept, the run incomplete", async () => {
    const { vi } = await import("vitest");
    const { FORMATS } = await import("../src/parsers/formats.js");
    const { PARSE_STALL_MS } = await import("../src/parsers/index.js");
    const parser = FORMATS.find((f) => f.id === "iam-json")?.parser;
    if (parser?.kind !== "file") throw new Error("iam-json parser missing");
    const cwd = repo("parser-stalls", {
      ".github/workflows/good.yml": GOOD_WORKFLOW,
      "p.json": trustPolicy("sts:AssumeRoleWithWebIdentity"),
    });
    const spy = vi.spyOn(parser, "load").mockResolvedValue(() => new Promise<never>(() => {}));
    // This process always has other work, so the time budget is what ends the wait (faked here).
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const state = { done: false };
      const pending = run({ cwd }).finally(() => (state.done = true));
      while (!state.done) {
        await vi.advanceTimersByTimeAsync(PARSE_STALL_MS);
        await new Promise((r) => setImmediate(r));
      }
      const report = await pending;
      expect(report.ruleErrors).toEqual([{ ruleId: "parse-error", message: "p.json: its parser never finished" }]);
      expect(findingLines(report, cwd, { withFile: true })).toEqual([
        GOOD_FINDING,
        "p.json:1:1 error parse-error/unparsable",
      ]);
    } finally {
      vi.useRealTimers();
      spy.mockRestore();
    }
  });
  it("the CLI, whose process runs out of work when a parser never settles, prints every finding and exits 2", () => {
    const cwd = repo("parser-stalls-cli", {
      ".github/workflows/good.yml": GOOD_WORKFLOW,
      "p.json": trustPolicy("sts:AssumeRoleWithWebIdentity"),
    });
    // Injected before the CLI starts: the policy JSON parser returns a promise that never settles. The bundle
    // holds its own copy of the formats, so the real bin runs here over dist/src: the hook hands dist/src's
    // CLI to a stand-in for the bundle (CommonJS, as the bin loads it).
    const hook = join(root, "stalling-parser.mjs");
    const src = (rel: string): string => JSON.stringify(pathToFileURL(join(ROOT, "dist/src", rel)).href);
    writeFileSync(
      hook,
      `import { FORMATS } from ${src("parsers/formats.js")};\n` +
        `FORMATS.find((f) => f.id === "iam-json").parser.load = async () => () => new Promise(() => {});\n` +
        `globalThis.unbundledCli = await import(${src("cli.js")});\n`,
    );
    const install = join(root, "unbundled");
    mkdirSync(join(install, "bin"), { recursive: true });
    mkdirSync(join(install, "dist/cli"), { recursive: true });
    for (const file of ["oidclint.js", "bundle-loader.js", "package.json"])
      writeFileSync(join(install, "bin", file), readFileSync(join(ROOT, "bin", file)));
    writeFileSync(join(install, "dist/cli/package.json"), readFileSync(join(ROOT, "dist/cli/package.json")));
    writeFileSync(join(install, "dist/cli/cli.js"), "module.exports = globalThis.unbundledCli;\n");
    const r = spawnSync(
      process.execPath,
      ["--import", pathToFileURL(hook).href, join(install, "bin", "oidclint.js"), "--format", "json", "."],
      {
        cwd,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
        timeout: 60_000,
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("internal error in rule parse-error: p.json: its parser never finished");
    expect(r.stderr).not.toContain("the run stopped before it finished");
    const results = JSON.parse(r.stdout) as { filePath: string; messages: { ruleId: string; line: number }[] }[];
    const byFile = Object.fromEntries(results.map((x) => [relative(cwd, x.filePath), x.messages.map((m) => m.ruleId)]));
    expect(byFile[".github/workflows/good.yml"]).toEqual(["missing-id-token-permission"]);
    expect(byFile["p.json"]).toEqual(["parse-error"]);
  });
  it("a run whose work never settles exits 2 with a message, not 13 with nothing", () => {
    const cwd = repo("never-settles", { "README.md": "x" });
    // Standard input that never ends and leaves nothing for the event loop to wait on.
    const hang =
      "data:text/javascript," +
      encodeURIComponent("process.stdin[Symbol.asyncIterator] = () => ({ next: () => new Promise(() => {}) });");
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
    const r = spawnSync(
      process.execPath,
      ["--import", hang, join(ROOT, "bin", "oidclint.js"), "--stdin", "--stdin-filename", "x.json"],
      { cwd, encoding: "utf8", env, timeout: 60_000 },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("the run stopped before it finished");
  });
});
