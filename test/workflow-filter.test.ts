/**
 * The workflow pre-filter (src/parsers/workflow/relevance.ts): what it lets through, that it stays in step
 * with the consumers token-use.ts knows, that a skipped file still gets its `parse-error`, and that every
 * fixture directory yields the same findings with and without it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../src/config/load.js";
import { defaultSettings } from "../src/config/settings.js";
import { lint } from "../src/engine/lint.js";
import { jobNeed, jobOidcUses } from "../src/analysis/token-use.js";
import { buildProject } from "../src/model/project.js";
import { indexProject } from "../src/analysis/project-index.js";
import type { ParseEnv } from "../src/parsers/source.js";
import { parseWorkflow } from "../src/parsers/workflow/index.js";
import { workflowMayMatter } from "../src/parsers/workflow/relevance.js";
import { rules } from "../rules/index.js";
import { FIXTURES, ROOT, findingLines } from "./helpers.js";

const CI = `name: ci
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: some-org/some-action@v1
        with:
          flag: "on"
      - run: |
          npm ci && npm test
          ./scripts/check.sh "a" \\
            --fast
`;

describe("workflowMayMatter", () => {
  it("lets a workflow without grants, consumers, local calls or callers go", () => {
    expect(workflowMayMatter(CI)).toBe(false);
  });

  it.each([
    ["a grant", "permissions:\n  id-token: write\n"],
    ["write-all", "permissions: write-all\n"],
    ["a callee", "on:\n  workflow_call:\n"],
    ["configure-aws-credentials, any case", "      - uses: AWS-Actions/Configure-AWS-Credentials@v4\n"],
    ["a token read in a run step", "      - run: curl $ACTIONS_ID_TOKEN_REQUEST_URL\n"],
    ["a local action", "      - uses: ./.github/actions/deploy\n"],
    ["a quoted local workflow", "    uses: './.github/workflows/deploy.yml'\n"],
    ["this repository's action", "      - uses: .\n"],
    ["a local action on the next line", "      - uses:\n          # the deploy action\n          ./deploy\n"],
    ["a local action as a block scalar", "      - uses: >-\n          ./deploy\n"],
    ["an anchor", "env: &shared\n  A: b\n"],
    ["an anchor in a sequence", "steps:\n  - &checkout\n    uses: actions/checkout@v4\n"],
    ["an escape in a double-quoted scalar", '      - uses: "aws-actions\\x2fconfigure"\n'],
    ["a double-quoted scalar going on over the line", '  key: "id-\\\n    token"\n'],
  ])("keeps %s", (_name, text) => {
    expect(workflowMayMatter(`${CI}${text}`)).toBe(true);
  });

  it("keeps every workflow in which a consumer token-use.ts names needs a token", () => {
    const source = readFileSync(join(ROOT, "src/analysis/token-use.ts"), "utf8");
    const named = [
      ...source.matchAll(/name === "([^"]+)"/g),
      ...source.matchAll(/name\.startsWith\("([^"]+)"\)/g),
      ...source.matchAll(/const AWS_ACTION = "([^"]+)"/g),
    ].map((m) => m[1] ?? "");
    expect(named.length).toBeGreaterThan(15);
    // The inputs that turn each known consumer's OIDC use on.
    const inputs = [
      "role-to-assume: arn:aws:iam::123456789012:role/r",
      "workload_identity_provider: projects/1/locations/global/workloadIdentityPools/p/providers/g",
      "client-id: c",
      "method: jwt",
      "use_oidc: true",
    ];
    let certain = 0;
    for (const name of named) {
      const text = `${CI}      - uses: ${name}@v1\n        with:\n${inputs.map((i) => `          ${i}\n`).join("")}`;
      const wf = parseWorkflow(
        { path: ".github/workflows/ci.yml", abs: "/repo/.github/workflows/ci.yml", text },
        {
          root: "/repo",
          settings: defaultSettings(),
          readFile: () => undefined,
        },
      ).workflows[0];
      const job = wf?.jobs[0];
      if (!wf || !job) throw new Error(`no job for ${name}`);
      const settings = defaultSettings();
      const index = indexProject(buildProject("/repo", []), settings);
      const need = jobNeed(jobOidcUses({ index, settings }, job, wf));
      if (need !== "yes") continue;
      certain++;
      expect(workflowMayMatter(text), name).toBe(true);
    }
    expect(certain).toBeGreaterThan(12);
    for (const run of [
      "npm publish --provenance",
      "pnpm publish --provenance",
      "cosign sign --yes img",
      "cosign attest-blob x",
      "echo $ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    ])
      expect(workflowMayMatter(`${CI}      - run: ${run}\n`), run).toBe(true);
    const script = "      - uses: actions/github-script@v7\n        with:\n          script: core.getIDToken()\n";
    expect(workflowMayMatter(`${CI}${script}`)).toBe(true);
  });
});

describe("a skipped workflow", () => {
  const env = (workflowPrefilter: boolean): ParseEnv => ({
    root: "/repo",
    settings: defaultSettings(),
    readFile: () => undefined,
    workflowPrefilter,
  });
  const parse = (text: string, filter: boolean) =>
    parseWorkflow({ path: ".github/workflows/ci.yml", abs: "/repo/.github/workflows/ci.yml", text }, env(filter));

  it("has no model", () => {
    expect(parse(CI, true).workflows).toEqual([]);
    expect(parse(CI, false).workflows).toHaveLength(1);
  });

  it.each([
    ["an unclosed flow sequence", `${CI}      - run: [a, b\n`],
    ["an unclosed flow mapping", `${CI}      - with: {a: b\n`],
    ["a bad indentation", CI.replace("    runs-on", "   runs-on")],
    ["a list at the root", "- on: push\n"],
    ["a scalar at the root", "just text\n"],
    ["a tab as indentation", CI.replace("    runs-on", "\truns-on")],
    ["a second document", `${CI}---\n${CI}`],
  ])("still gets its parse-error: %s", (_name, text) => {
    expect(workflowMayMatter(text)).toBe(false);
    const without = parse(text, false).problems;
    expect(without.length).toBeGreaterThan(0);
    expect(parse(text, true).problems).toEqual(without);
  });
});

/** Every fixture directory (a case or a project) that holds a workflow. */
function workflowDirs(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!statSync(path).isDirectory()) continue;
    if (name === ".github") {
      out.push(dir);
      continue;
    }
    workflowDirs(path, out);
  }
  return out;
}

describe("findings with and without the pre-filter", () => {
  const dirs = [...new Set(workflowDirs(FIXTURES))];
  it("covers the fixtures", () => {
    expect(dirs.length).toBeGreaterThan(50);
  });
  // Every rule on (the strict level of those off by default), so that every workflow rule reads every case.
  const all = Object.fromEntries(rules.map((r) => [r.meta.id, r.meta.severity === "off" ? "warn" : r.meta.severity]));
  for (const dir of dirs) {
    it(relative(FIXTURES, dir), async () => {
      const config = await resolveConfig({ cwd: dir, rules, ruleOverrides: all, env: {} });
      const lines = async (workflowPrefilter: boolean) =>
        findingLines(await lint({ cwd: dir, config, paths: ["."], workflowPrefilter }), dir, {
          withFile: true,
          full: true,
        });
      expect(await lines(true)).toEqual(await lines(false));
    });
  }
});
