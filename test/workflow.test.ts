/**
 * The workflow model (parser positions and shapes) and the OIDC-usage definition shared by the
 * id-token rules. Rule behaviour end to end lives in fixtures/<rule-id>/.
 */
import { describe, expect, it } from "vitest";
import { defaultSettings } from "../src/config/settings.js";
import { buildProject, type Project } from "../src/model/project.js";
import { indexProject } from "../src/analysis/project-index.js";
import { effectivePermissions, jobNeed, jobOidcUses, type Need } from "../src/analysis/token-use.js";
import { displayText } from "../src/model/value.js";
import type { Workflow } from "../src/model/workflow.js";
import { parseAction, parseWorkflow } from "../src/parsers/workflow/index.js";
import type { ParseEnv } from "../src/parsers/source.js";

const env: ParseEnv = { root: "/repo", settings: defaultSettings(), readFile: () => undefined };

function workflow(text: string, path = ".github/workflows/w.yml"): Workflow {
  const parsed = parseWorkflow({ path, abs: `/repo/${path}`, text }, env);
  expect(parsed.problems).toEqual([]);
  const wf = parsed.workflows[0];
  if (!wf) throw new Error("no workflow");
  return wf;
}

function must<T>(v: T | undefined): T {
  if (v === undefined) throw new Error("missing value");
  return v;
}

function at(loc: { line: number; column: number }): string {
  return `${loc.line}:${loc.column}`;
}

describe("parseWorkflow", () => {
  it("reads `on` as a string, a list and a map with filters", () => {
    expect(workflow("on: push\njobs: {}\n").triggers.map((t) => t.event.value)).toEqual(["push"]);
    expect(workflow("on: [push, pull_request]\njobs: {}\n").triggers.map((t) => t.event.value)).toEqual([
      "push",
      "pull_request",
    ]);
    const wf = workflow(
      [
        "on:",
        "  push:",
        "    branches: [main, 'release/**']",
        "    tags: v*",
        "    paths-ignore: [docs/**]",
        "  pull_request:",
        "    branches-ignore: [wip]",
        "    types: [opened]",
        "  workflow_run:",
        "    workflows: [CI]",
        "  workflow_dispatch:",
        "jobs: {}",
      ].join("\n"),
    );
    expect(wf.onLoc && at(wf.onLoc)).toBe("1:1");
    const [push, pr, run, dispatch] = wf.triggers;
    expect(push?.filter.branches?.map((b) => b.value)).toEqual(["main", "release/**"]);
    expect(push?.filter.branches?.[1] && at(push.filter.branches[1].loc)).toBe("3:22");
    expect(push?.filter.tags?.map((b) => b.value)).toEqual(["v*"]);
    expect(push?.filter.pathsIgnore?.map((b) => b.value)).toEqual(["docs/**"]);
    expect(pr?.filter.branchesIgnore?.map((b) => b.value)).toEqual(["wip"]);
    expect(pr?.filter.types?.map((b) => b.value)).toEqual(["opened"]);
    expect(run?.filter.workflows?.map((b) => b.value)).toEqual(["CI"]);
    expect(dispatch?.event.value).toBe("workflow_dispatch");
  });

  it("reads permissions in every form, with the value and key positions", () => {
    const wf = workflow(
      [
        "on: push",
        "permissions: read-all",
        "jobs:",
        "  a:",
        "    permissions: write-all",
        "  b:",
        "    permissions: {}",
        "  c:",
        "    permissions:",
        "      contents: read",
        "      id-token: write",
        "  d:",
        "    permissions: ${{ fromJSON(vars.PERMS) }}",
      ].join("\n"),
    );
    expect(wf.permissions?.kind).toBe("read-all");
    expect(wf.permissions && at(wf.permissions.loc)).toBe("2:14");
    expect(wf.permissions && at(wf.permissions.keyLoc)).toBe("2:1");
    expect(wf.jobs.map((j) => j.permissions?.kind)).toEqual(["write-all", "empty", "map", "unknown"]);
    const c = wf.jobs[2]?.permissions;
    expect(c?.scopes.get("id-token")?.value).toBe("write");
    expect(at(must(c?.scopes.get("id-token")).loc)).toBe("11:17");
    expect(at(must(c?.scopeKeys?.get("id-token")))).toBe("11:7");
    expect(c && at(c.loc)).toBe("10:7");
    expect(c && at(c.keyLoc)).toBe("9:5");
  });

  it("reads environment as a string or {name, url}, keeping expressions unknown", () => {
    const wf = workflow(
      [
        "on: push",
        "jobs:",
        "  a:",
        "    environment: production",
        "  b:",
        "    environment:",
        "      name: prod-${{ inputs.region }}",
        "      url: https://example.com",
        "  c:",
        "    environment: ${{ inputs.env }}",
      ].join("\n"),
    );
    const [a, b, c] = wf.jobs;
    expect(a?.environment?.parts).toEqual(["production"]);
    expect(a?.environment && at(a.environment.loc)).toBe("4:18");
    expect(b?.environment?.parts).toEqual(["prod-", { unknown: "inputs.region" }]);
    expect(b?.environmentUrl && displayText(b.environmentUrl)).toBe("https://example.com");
    expect(c?.environment?.parts).toEqual([{ unknown: "inputs.env" }]);
  });

  it("reads steps, `with` values of any scalar type, reusable calls, `if` and `env`", () => {
    const wf = workflow(
      [
        "on: push",
        "env:",
        "  REGION: us-east-1",
        "jobs:",
        "  deploy:",
        "    if: github.ref == 'refs/heads/main'",
        "    env:",
        "      STAGE: prod",
        "    steps:",
        "      - id: creds",
        "        uses: aws-actions/configure-aws-credentials@v4",
        "        with:",
        "          role-to-assume: ${{ secrets.ROLE }}",
        "          role-chaining: true",
        "          role-duration-seconds: 900",
        "      - name: Run",
        "        run: echo hi",
        "  local:",
        "    uses: ./.github/workflows/deploy.yml",
        "    with: { stage: prod }",
        "  remote:",
        "    uses: acme/pipelines/.github/workflows/deploy.yml@v2",
      ].join("\n"),
    );
    const [deploy, local, remote] = wf.jobs;
    expect(wf.env?.get("REGION")?.parts).toEqual(["us-east-1"]);
    expect(deploy?.if?.value).toBe("github.ref == 'refs/heads/main'");
    expect(deploy?.env?.get("STAGE")?.parts).toEqual(["prod"]);
    const step = deploy?.steps[0];
    expect(step?.name?.value).toBe("creds");
    expect(step?.uses && at(step.uses.loc)).toBe("11:15");
    expect(step?.with.get("role-to-assume")?.parts).toEqual([{ unknown: "secrets.ROLE" }]);
    expect(step?.with.get("role-chaining")?.parts).toEqual(["true"]);
    expect(step?.with.get("role-duration-seconds")?.parts).toEqual(["900"]);
    expect(at(must(step?.with.get("role-chaining")).loc)).toBe("14:26");
    expect(deploy?.steps[1]?.run?.value).toBe("echo hi");
    expect(local?.uses?.value).toBe("./.github/workflows/deploy.yml");
    expect(local?.with.get("stage")?.parts).toEqual(["prod"]);
    expect(remote?.uses?.value).toBe("acme/pipelines/.github/workflows/deploy.yml@v2");
  });

  it("follows YAML aliases", () => {
    const wf = workflow(
      ["on: push", "x-perms: &perms", "  id-token: write", "jobs:", "  a:", "    permissions: *perms"].join("\n"),
    );
    expect(wf.jobs[0]?.permissions?.scopes.get("id-token")?.value).toBe("write");
  });

  it("reports broken YAML as a problem, and an empty file as nothing", () => {
    const broken = parseWorkflow({ path: ".github/workflows/w.yml", abs: "", text: "on: push\njobs:\n  a: [\n" }, env);
    expect(broken.problems.length).toBe(1);
    expect(broken.workflows).toEqual([]);
    const empty = parseWorkflow({ path: ".github/workflows/w.yml", abs: "", text: "" }, env);
    expect(empty.problems).toEqual([]);
    expect(empty.workflows).toEqual([]);
    const list = parseWorkflow({ path: ".github/workflows/w.yml", abs: "", text: "- a\n- b\n" }, env);
    expect(list.problems.length).toBe(1);
  });

  it("refuses nesting over 200 levels and indentation over 400 columns, and reads what stays within them", () => {
    const problem = (text: string): string => {
      const [p] = parseWorkflow({ path: ".github/workflows/w.yml", abs: "", text }, env).problems;
      return p ? `${at(p.loc)} ${p.message}` : "none";
    };
    const flow = (n: number): string => `on: push\nx: ${"[".repeat(n)}${"]".repeat(n)}\njobs: {}\n`;
    expect(problem(flow(200))).toBe("none");
    expect(problem(flow(201))).toBe("2:204 nesting deeper than 200 levels; not linted");
    // Brackets anywhere count, in a scalar or a comment too (the check reads the text, not the YAML).
    expect(problem(`on: push # ${"{".repeat(201)}\njobs: {}\n`)).toBe(
      "1:212 nesting deeper than 200 levels; not linted",
    );
    // More than 200 in all, but never more than 200 open at once.
    expect(problem(`on: push # ${"{".repeat(150)}${"}".repeat(150)}\njobs: {}\nx: '${"[".repeat(60)}'\n`)).toBe("none");
    // Expressions' braces count where they are: 150 of them inside 199 open brackets are 201 deep, not inside 198.
    const expressions = (n: number): string =>
      `on: push\nx: '${"[".repeat(n)}'\ny: ${"${{ a }} ".repeat(150)}\njobs: {}\n`;
    expect(problem(expressions(199))).toBe("3:6 nesting deeper than 200 levels; not linted");
    expect(problem(expressions(198))).toBe("none");
    const indented = (n: number): string => `on: push\njobs: {}\nx: |\n${" ".repeat(n)}text\n`;
    expect(problem(indented(400))).toBe("none");
    expect(problem(indented(401))).toBe("4:401 indentation deeper than 400 columns; not linted");
    // 401 spaces that are not an indentation are no problem.
    expect(problem(`on: push\njobs: {}\nx: "a${" ".repeat(401)}b"\n`)).toBe("none");
  });

  it("reads a quoted string continued at its key's indentation as GitHub does (joined with spaces)", () => {
    const text = [
      "on: push",
      "jobs:",
      "  a:",
      "    steps:",
      "      - uses: nick-fields/retry@v3",
      "        with:",
      "          command: 'terraform apply",
      '          -var="run=42"\'',
      '          note: "two',
      '          lines"',
      "          attempts: 3",
    ].join("\n");
    const step = must(workflow(text).jobs[0]?.steps[0]);
    expect(displayText(must(step.with.get("command")))).toBe('terraform apply -var="run=42"');
    expect(displayText(must(step.with.get("note")))).toBe("two lines");
    expect(at(must(step.with.get("attempts")).loc)).toBe("11:21");
    // Still broken: the quote is never closed, or the next key is out of line.
    for (const broken of ["on: push\nenv:\n  A: 'x\n  B: y\n", "on: push\nenv:\n  A: x\n B: y\n"]) {
      const parsed = parseWorkflow({ path: ".github/workflows/w.yml", abs: "", text: broken }, env);
      expect(parsed.problems.length, broken).toBe(1);
    }
  });
});

describe("parseAction", () => {
  it("reads composite actions with inputs and steps", () => {
    const text = [
      "name: login",
      "inputs:",
      "  role:",
      "    required: true",
      "  region:",
      "    default: us-east-1",
      "runs:",
      "  using: composite",
      "  steps:",
      "    - uses: aws-actions/configure-aws-credentials@v4",
      "      with:",
      "        role-to-assume: ${{ inputs.role }}",
    ].join("\n");
    const parsed = parseAction({ path: ".github/actions/login/action.yml", abs: "", text }, env);
    const action = parsed?.actions[0];
    expect(action?.dir).toBe(".github/actions/login");
    expect([...(action?.inputs.keys() ?? [])]).toEqual(["role", "region"]);
    expect(action?.inputs.get("region")?.default?.parts).toEqual(["us-east-1"]);
    expect(action?.steps[0]?.with.get("role-to-assume")?.parts).toEqual([{ unknown: "inputs.role" }]);
  });

  it("ignores JavaScript and Docker actions", () => {
    expect(
      parseAction({ path: "action.yml", abs: "", text: "runs:\n  using: node20\n  main: dist/index.js\n" }, env),
    ).toBeUndefined();
    expect(
      parseAction({ path: "action.yml", abs: "", text: "runs:\n  using: docker\n  image: Dockerfile\n" }, env),
    ).toBeUndefined();
  });
});

function project(files: Record<string, string>): Project {
  const parsed = Object.entries(files).map(([path, text]) =>
    path.endsWith("action.yml")
      ? must(parseAction({ path, abs: "", text }, env))
      : parseWorkflow({ path, abs: "", text }, env),
  );
  return buildProject("/repo", parsed);
}

function needOf(files: Record<string, string>, jobIndex = 0, settings = { localActionUsesOidc: false }): Need {
  const p = project(files);
  const wf = must(p.workflows.find((w) => w.file === ".github/workflows/main.yml"));
  return jobNeed(jobOidcUses({ index: indexProject(p, defaultSettings()), settings }, must(wf.jobs[jobIndex]), wf));
}

function awsJob(withLines: string[]): Record<string, string> {
  return {
    ".github/workflows/main.yml": [
      "on: push",
      "jobs:",
      "  deploy:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - uses: aws-actions/configure-aws-credentials@v4",
      "        with:",
      ...withLines.map((l) => `          ${l}`),
    ].join("\n"),
  };
}

describe("OIDC usage", () => {
  it("configure-aws-credentials: role-to-assume without keys needs the token", () => {
    expect(needOf(awsJob(["role-to-assume: arn:aws:iam::1:role/r"]))).toBe("yes");
    expect(needOf(awsJob(["role-to-assume: ${{ secrets.ROLE }}"]))).toBe("yes");
    expect(needOf(awsJob(["aws-region: us-east-1"]))).toBe("no");
    expect(needOf(awsJob(["role-to-assume: r", "aws-access-key-id: ${{ secrets.K }}"]))).toBe("no");
    expect(needOf(awsJob(["role-to-assume: r", "web-identity-token-file: /tmp/t"]))).toBe("no");
    expect(needOf(awsJob(["role-to-assume: r", "role-chaining: true"]))).toBe("no");
    expect(needOf(awsJob(["role-to-assume: r", "force-skip-oidc: TRUE"]))).toBe("no");
    expect(needOf(awsJob(["role-to-assume: r", "role-chaining: false"]))).toBe("yes");
    expect(needOf(awsJob(["role-to-assume: r", "role-chaining: ${{ vars.CHAIN }}"]))).toBe("maybe");
    expect(needOf(awsJob(["role-to-assume: ${{ inputs.role }}"]))).toBe("maybe");
    expect(needOf(awsJob(["role-to-assume: ''"]))).toBe("no");
  });

  it("follows local composite actions through their inputs and defaults", () => {
    const action = [
      "inputs:",
      "  role: {}",
      "  key: {}",
      "  chain:",
      "    default: 'false'",
      "runs:",
      "  using: composite",
      "  steps:",
      "    - uses: aws-actions/configure-aws-credentials@v4",
      "      with:",
      "        role-to-assume: ${{ inputs.role }}",
      "        aws-access-key-id: ${{ inputs.key }}",
      "        role-chaining: ${{ inputs.chain }}",
    ].join("\n");
    const caller = (withLines: string[]): Record<string, string> => ({
      ".github/actions/login/action.yml": action,
      ".github/workflows/main.yml": [
        "on: push",
        "jobs:",
        "  a:",
        "    steps:",
        "      - uses: ./.github/actions/login/",
        "        with:",
        ...withLines.map((l) => `          ${l}`),
      ].join("\n"),
    });
    expect(needOf(caller(["role: r"]))).toBe("yes");
    expect(needOf(caller(["role: r", "key: ${{ secrets.K }}"]))).toBe("no");
    expect(needOf(caller(["role: r", "chain: true"]))).toBe("no");
    expect(needOf(caller(["key: k"]))).toBe("no");
  });

  it("treats `uses: ./` as OIDC only when configured", () => {
    const files = { ".github/workflows/main.yml": "on: push\njobs:\n  a:\n    steps:\n      - uses: ./\n" };
    expect(needOf(files)).toBe("no");
    expect(needOf(files, 0, { localActionUsesOidc: true })).toBe("yes");
  });

  it("resolves local reusable workflows; remote ones are unknown", () => {
    const callee = "on: workflow_call\njobs:\n  d:\n    steps:\n      - run: npm publish --provenance\n";
    const files = {
      ".github/workflows/callee.yml": callee,
      ".github/workflows/main.yml":
        "on: push\njobs:\n  a:\n    uses: ./.github/workflows/callee.yml\n  b:\n    uses: acme/x/.github/workflows/y.yml@v1\n  c:\n    uses: ./.github/workflows/missing.yml\n",
    };
    expect(needOf(files, 0)).toBe("yes");
    expect(needOf(files, 1)).toBe("maybe");
    expect(needOf(files, 2)).toBe("maybe");
  });

  it("classifies remote actions: known consumers yes, known non-consumers no, anything else maybe", () => {
    const job = (steps: string[]): Record<string, string> => ({
      ".github/workflows/main.yml": [
        "on: push",
        "jobs:",
        "  a:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        ...steps.map((l) => `      ${l}`),
      ].join("\n"),
    });
    expect(needOf(job(["- uses: actions/deploy-pages@v4"]))).toBe("yes");
    expect(needOf(job(["- uses: rust-lang/crates-io-auth-action@v1"]))).toBe("yes");
    expect(needOf(job(["- uses: NuGet/login@v1", "  with: { user: me }"]))).toBe("yes");
    expect(needOf(job(["- uses: codecov/codecov-action@v5", "  with: { use_oidc: true }"]))).toBe("yes");
    expect(needOf(job(["- uses: codecov/codecov-action@v5", "  with: { token: '${{ secrets.T }}' }"]))).toBe("no");
    expect(needOf(job(["- uses: codecov/codecov-action@v5", "  with: { use_oidc: '${{ vars.OIDC }}' }"]))).toBe(
      "maybe",
    );
    expect(
      needOf(
        job([
          "- uses: actions/checkout@v4",
          "- uses: actions/setup-python@v5",
          "- uses: actions/upload-pages-artifact@v3",
        ]),
      ),
    ).toBe("no");
    expect(
      needOf(
        job([
          "- uses: docker/setup-buildx-action@v3",
          "- uses: docker/build-push-action@v6",
          "- uses: github/codeql-action/analyze@v3",
        ]),
      ),
    ).toBe("no");
    expect(
      needOf(
        job([
          "- uses: docker/login-action@v3",
          "  with: { registry: ghcr.io, password: '${{ secrets.GITHUB_TOKEN }}' }",
        ]),
      ),
    ).toBe("no");
    expect(needOf(job(["- uses: docker/login-action@v3", "  with: { registry: cgr.dev }"]))).toBe("maybe");
    expect(needOf(job(["- uses: sigstore/cosign-installer@v3"]))).toBe("maybe");
    expect(needOf(job(["- uses: goreleaser/goreleaser-action@v6"]))).toBe("maybe");
    expect(needOf(job(["- uses: docker://alpine:3"]))).toBe("maybe");
    expect(needOf(job(["- run: npm publish --provenance"]))).toBe("yes");
    expect(needOf(job(["- run: npm publish"]))).toBe("maybe");
    expect(needOf(job(["- run: npm publish --dry-run"]))).toBe("no");
    expect(needOf(job(["- run: uv publish"]))).toBe("maybe");
  });

  it("names an unknown action in the reason of its maybe", () => {
    const p = project({
      ".github/workflows/main.yml": "on: push\njobs:\n  a:\n    steps:\n      - uses: Acme/Deploy@v1\n",
    });
    const wf = must(p.workflows[0]);
    const uses = jobOidcUses(
      { index: indexProject(p, defaultSettings()), settings: { localActionUsesOidc: false } },
      must(wf.jobs[0]),
      wf,
    );
    expect(uses).toHaveLength(1);
    expect(uses[0]?.need).toBe("maybe");
    expect(uses[0]?.reason).toBe("`acme/deploy` may request a token; oidclint does not know it");
  });

  it("does not loop on recursive reusable workflows", () => {
    const files = {
      ".github/workflows/main.yml": "on: [push, workflow_call]\njobs:\n  a:\n    uses: ./.github/workflows/main.yml\n",
    };
    expect(needOf(files)).toBe("no");
  });

  it("computes effective permissions: job replaces workflow; defaults and callees", () => {
    const wf = workflow(
      [
        "on: push",
        "permissions:",
        "  id-token: write",
        "jobs:",
        "  a:",
        "    permissions: { contents: read }",
        "  b: {}",
        "  c:",
        "    permissions:",
        "      id-token: read",
      ].join("\n"),
    );
    expect(wf.jobs.map((j) => effectivePermissions(j, wf).idToken)).toEqual(["none", "write", "read"]);
    expect(effectivePermissions(must(wf.jobs[1]), wf).source).toBe("workflow");
    const none = workflow("on: push\njobs:\n  a: {}\n");
    expect(effectivePermissions(must(none.jobs[0]), none)).toEqual({ source: "default", idToken: "none" });
    const callee = workflow("on: workflow_call\njobs:\n  a: {}\n");
    expect(effectivePermissions(must(callee.jobs[0]), callee).source).toBe("caller");
  });
});
