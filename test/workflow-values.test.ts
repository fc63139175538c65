/**
 * `strategy.matrix` expansion (GitHub's include/exclude semantics) and the `env` / `vars` / `secrets` /
 * `matrix` values a step's inputs read. Rule behaviour end to end lives in fixtures/trust-mismatch/.
 */
import { describe, expect, it } from "vitest";
import { defaultSettings } from "../src/config/settings.js";
import { resolveContexts, githubEnvWrites, variablesMap } from "../src/analysis/workflow-values.js";
import { displayText, type StrValue } from "../src/model/value.js";
import type { Job } from "../src/model/workflow.js";
import { parseWorkflow } from "../src/parsers/workflow/index.js";
import { expressionValue } from "../src/parsers/workflow/expression.js";

function job(text: string): Job {
  const parsed = parseWorkflow(
    { path: ".github/workflows/w.yml", abs: "/repo/.github/workflows/w.yml", text },
    { root: "/repo", settings: defaultSettings(), readFile: () => undefined },
  );
  const j = parsed.workflows[0]?.jobs[0];
  if (!j) throw new Error("no job");
  return j;
}

function combos(matrix: string): string[] {
  const j = job(
    `on: push\njobs:\n  j:\n    runs-on: x\n    strategy:\n      matrix:\n${matrix.replace(/^/gm, "        ")}\n`,
  );
  const c = j.matrix?.combinations;
  if (!c) return [`unknown: ${j.matrix?.unknown ?? "no matrix"}`];
  return c.map((m) => [...m].map(([k, v]) => `${k}=${displayText(v)}`).join(","));
}

const loc = { file: "w.yml", line: 1, column: 1, endLine: 1, endColumn: 1 };
const v = (text: string): StrValue => expressionValue(text, loc);

describe("strategy.matrix", () => {
  it("expands GitHub's documented include example", () => {
    // docs.github.com, "Running variations of jobs in a workflow" → "Example: Expanding configurations".
    const out = combos(
      [
        "fruit: [apple, pear]",
        "animal: [cat, dog]",
        "include:",
        "  - color: green",
        "  - color: pink",
        "    animal: cat",
        "  - fruit: apple",
        "    shape: circle",
        "  - fruit: banana",
        "  - fruit: banana",
        "    animal: cat",
      ].join("\n"),
    );
    expect(out).toEqual([
      "fruit=apple,animal=cat,color=pink,shape=circle",
      "fruit=apple,animal=dog,color=green,shape=circle",
      "fruit=pear,animal=cat,color=pink",
      "fruit=pear,animal=dog,color=green",
      "fruit=banana",
      "fruit=banana,animal=cat",
    ]);
  });

  it("applies exclude (partial entries) before include, and flattens mapping values", () => {
    expect(
      combos(
        "os: [macos, windows]\nversion: [12, 14, 16]\nenvironment: [staging, production]\nexclude:\n  - os: macos\n    version: 12\n    environment: production\n  - os: windows\n    version: 16",
      ).length,
    ).toBe(12 - 1 - 2);
    expect(combos("target:\n  - { env: dev, role: r1 }\n  - { env: prod, role: r2 }")).toEqual([
      "target.env=dev,target.role=r1",
      "target.env=prod,target.role=r2",
    ]);
    expect(combos("include:\n  - env: dev\n  - env: prod")).toEqual(["env=dev", "env=prod"]);
  });

  it("leaves expressions and oversized matrices unknown", () => {
    expect(combos("${{ fromJSON(needs.plan.outputs.matrix) }}")[0]).toMatch(
      /^unknown: the matrix comes from an expression/,
    );
    expect(combos("env: ${{ fromJSON(vars.ENVS) }}")[0]).toMatch(/^unknown/);
    expect(combos("env: [dev, '${{ vars.EXTRA }}']")[0]).toMatch(/^unknown: a value of `matrix.env` is an expression/);
    const big = ["a", "b", "c"].map((k) => `${k}: [${Array.from({ length: 7 }, (_, i) => i).join(", ")}]`).join("\n");
    expect(combos(big)[0]).toMatch(/^unknown: the matrix has more than 256 combinations/);
    expect(combos("include: ${{ fromJSON(vars.TARGETS) }}")[0]).toMatch(/^unknown/);
  });
});

describe("context values", () => {
  const stepEnv = new Map([["ROLE", v("arn:aws:iam::1:role/step")]]);
  const jobEnv = new Map([
    ["ROLE", v("arn:aws:iam::1:role/job")],
    ["ACCOUNT", v("${{ vars.ACCOUNT }}")],
  ]);
  const wfEnv = new Map([
    ["ROLE", v("arn:aws:iam::1:role/workflow")],
    ["REGION", v("eu-west-1")],
  ]);

  it("reads env with GitHub's precedence (step, job, workflow)", () => {
    expect(displayText(resolveContexts(v("${{ env.ROLE }}"), { env: [stepEnv, jobEnv, wfEnv] }))).toBe(
      "arn:aws:iam::1:role/step",
    );
    expect(displayText(resolveContexts(v("${{ env.ROLE }}"), { env: [jobEnv, wfEnv] }))).toBe(
      "arn:aws:iam::1:role/job",
    );
    expect(displayText(resolveContexts(v("${{ env['REGION'] }}"), { env: [jobEnv, wfEnv] }))).toBe("eu-west-1");
    expect(resolveContexts(v("${{ env.ROLE }}"), { env: [jobEnv, wfEnv] }).origin).toBe("env `ROLE` (line 1)");
  });

  it("reads vars and secrets from the config map, case-insensitively, inside larger values", () => {
    const variables = variablesMap({ "vars.ACCOUNT": "123456789012", "secrets.Deploy_Role": "deploy" });
    const out = resolveContexts(v("arn:aws:iam::${{ env.ACCOUNT }}:role/${{ secrets.DEPLOY_ROLE }}"), {
      env: [jobEnv],
      variables,
    });
    expect(displayText(out)).toBe("arn:aws:iam::123456789012:role/deploy");
  });

  it("keeps unknown what is not known", () => {
    expect(displayText(resolveContexts(v("${{ env.OTHER }}"), { env: [jobEnv] }))).toBe("${env.OTHER}");
    expect(displayText(resolveContexts(v("${{ vars.ROLE }}"), { env: [] }))).toBe("${vars.ROLE}");
    expect(displayText(resolveContexts(v("${{ env.ROLE || 'x' }}"), { env: [jobEnv] }))).toBe("${env.ROLE || 'x'}");
    expect(displayText(resolveContexts(v("${{ env.ROLE }}"), { env: [jobEnv], dynamicEnv: new Set(["ROLE"]) }))).toBe(
      "${env.ROLE}",
    );
    expect(
      displayText(resolveContexts(v("${{ matrix.env }}"), { env: [], matrix: new Map([["env", v("dev")]]) })),
    ).toBe("dev");
  });

  it("finds names written to $GITHUB_ENV", () => {
    expect(githubEnvWrites('echo "ROLE_ARN=x" >> "$GITHUB_ENV"')).toContain("ROLE_ARN");
    expect(githubEnvWrites("echo ROLE=x")).toEqual([]);
  });
});

describe("missing-id-token-permission fix text", () => {
  it("keeps the scopes in force and adds id-token: write", async () => {
    const { run, fixtureDir } = await import("./helpers.js");
    const { join } = await import("node:path");
    const cwd = join(fixtureDir("missing-id-token-permission"), "invalid", "keeps-inherited-scopes");
    const report = await run({ cwd });
    const fixes = report.results
      .flatMap((r) => r.messages)
      .filter((m) => m.ruleId === "missing-id-token-permission")
      .map((m) => m.fix);
    expect(fixes).toEqual([
      "Add `id-token: write` to the job: `permissions: { contents: read, packages: read, id-token: write }`.",
    ]);
  });
});

describe("stale-repo-path questions", () => {
  async function hints(dir: string): Promise<string[]> {
    const { run, fixtureDir } = await import("./helpers.js");
    const { join } = await import("node:path");
    const report = await run({ cwd: join(fixtureDir("stale-repo-path"), "invalid", dir) });
    return report.results
      .flatMap((r) => r.messages)
      .filter((m) => m.ruleId === "stale-repo-path")
      .map((m) => m.fix ?? "");
  }

  it("asks whether the configured repository was renamed before any neighbour", async () => {
    const out = await hints("renamed-repository");
    expect(out[0]).toMatch(/^Was this repository \(`acme\/payments-service`\) renamed from `acme\/payments-api`\?/);
    expect(out.every((h) => !/^Write /.test(h))).toBe(true);
  });

  it("suggests a typo only within one edit of a name of the same owner, never an unrelated short name", async () => {
    const out = await hints("unrelated-neighbour");
    expect(out.some((h) => h.includes("`acme/app`"))).toBe(false);
    expect(out.filter((h) => h.startsWith("Is `acme/plaform` a misspelling of `acme/platform`?"))).toHaveLength(1);
  });
});
