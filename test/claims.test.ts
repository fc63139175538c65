import { describe, expect, it } from "vitest";
import { defaultSettings, type ResolvedSettings } from "../src/config/settings.js";
import { describeHole, jobSituations, renderSub } from "../src/analysis/predicted-claims.js";
import { findRefusedClaim, holeAdmits } from "../src/analysis/iam-evaluation.js";
import { jobCondition, namesUnder } from "../src/analysis/job-condition.js";
import { parseRoleArn } from "../src/analysis/role-assumptions.js";
import { parseWorkflow } from "../src/parsers/workflow/index.js";

function situations(
  yaml: string,
  extra: Partial<ResolvedSettings> = {},
): { event: string; kind: string; sub: string; holes?: unknown }[] {
  const settings = { ...defaultSettings(), repository: "acme/app", ...extra };
  const parsed = parseWorkflow(
    { path: ".github/workflows/w.yml", abs: "/x/.github/workflows/w.yml", text: yaml },
    { root: "/x", settings, readFile: () => undefined },
  );
  const wf = parsed.workflows[0];
  const job = wf?.jobs[0];
  if (!wf || !job) throw new Error("no job");
  return jobSituations(wf, job, settings).map((s) => ({
    event: s.event,
    kind: s.kind,
    sub: renderSub(s),
    ...(s.holes?.include ? { holes: s.holes.include } : {}),
  }));
}

const JOB = "jobs:\n  j:\n    runs-on: x\n    steps: [{ run: echo }]\n";

describe("predicted claims", () => {
  it("push with branch filter: branches only; tags only when filtered for", () => {
    // Literal names are fixed situations, no placeholder; globs keep the open set.
    expect(situations(`on:\n  push:\n    branches: [main]\n${JOB}`)).toEqual([
      { event: "push", kind: "branch", sub: "repo:acme/app:ref:refs/heads/main" },
    ]);
    expect(situations(`on:\n  push:\n    branches: [main, "release/**"]\n${JOB}`)).toEqual([
      { event: "push", kind: "branch", sub: "repo:acme/app:ref:refs/heads/<branch>", holes: ["main", "release/**"] },
    ]);
    expect(situations(`on:\n  push:\n    tags: ["v*"]\n${JOB}`).map((s) => s.kind)).toEqual(["tag"]);
    expect(situations(`on: push\n${JOB}`).map((s) => s.kind)).toEqual(["branch", "tag"]);
  });
  it("pull_request, base-branch events and environment precedence", () => {
    const s = situations(`on: [pull_request, pull_request_target, schedule, workflow_run, issue_comment]\n${JOB}`, {
      defaultBranch: "trunk",
    });
    expect(s.map((x) => x.sub)).toEqual([
      "repo:acme/app:pull_request",
      "repo:acme/app:ref:refs/heads/trunk",
      "repo:acme/app:ref:refs/heads/trunk",
      "repo:acme/app:ref:refs/heads/trunk",
      "repo:acme/app:ref:refs/heads/trunk",
    ]);
    const env = situations(
      `on: [pull_request, push]\njobs:\n  j:\n    runs-on: x\n    environment: { name: "prod:eu" }\n    steps: [{ run: echo }]\n`,
    );
    expect(new Set(env.map((x) => x.sub))).toEqual(new Set(["repo:acme/app:environment:prod%3Aeu"]));
  });
  it("unknown environment and workflow_call are unknown, not guessed", () => {
    expect(
      situations(
        `on: push\njobs:\n  j:\n    runs-on: x\n    environment: \${{ inputs.env }}\n    steps: [{ run: echo }]\n`,
      ).every((s) => s.kind === "unknown"),
    ).toBe(true);
    expect(situations(`on: workflow_call\n${JOB}`)[0]?.kind).toBe("unknown");
  });
  it("a customised template puts the other claims after the context", () => {
    const s = situations(`on: pull_request\n${JOB}`, { subClaimTemplate: ["repo", "context", "job_workflow_ref"] });
    expect(s[0]?.sub).toBe(
      "repo:acme/app:pull_request:job_workflow_ref:acme/app/.github/workflows/w.yml@refs/pull/<id>/merge",
    );
  });
  it("a job if pinning github.ref narrows workflow_dispatch", () => {
    const s = situations(
      `on: workflow_dispatch\njobs:\n  j:\n    if: github.ref == 'refs/heads/main'\n    runs-on: x\n    steps: [{ run: echo }]\n`,
    );
    expect(s).toEqual([{ event: "workflow_dispatch", kind: "branch", sub: "repo:acme/app:ref:refs/heads/main" }]);
  });
});

describe("job if: conditions (job-condition.ts)", () => {
  const reach = (cond: string, event: string): string => jobCondition(cond).reaches(event);
  it("event gating: ==, !=, ${{ }}, !, parentheses, case", () => {
    for (const c of [
      "github.event_name == 'push'",
      "${{ github.event_name == 'push' }}",
      "github.event_name != 'pull_request'",
      "!(github.event_name == 'pull_request')",
      "GITHUB.EVENT_NAME == 'PUSH'",
      "'push' == github.event_name",
      "github['event_name'] == 'push'",
    ]) {
      expect(reach(c, "pull_request"), c).toBe("no");
      expect(reach(c, "push"), c).toBe("yes");
    }
    expect(reach("github.event_name != 'schedule'", "pull_request")).toBe("yes");
    expect(reach("always() && github.event_name == 'push'", "pull_request")).toBe("no");
    expect(reach("always() && github.event_name == 'push'", "push")).toBe("maybe");
    expect(reach("github.event_name == 'push' || github.event_name == 'workflow_dispatch'", "workflow_dispatch")).toBe(
      "yes",
    );
    expect(reach("false", "push")).toBe("no");
  });
  it("ref tests restrict refs: a pull request's ref is refs/pull/N/merge", () => {
    const rule = jobCondition("github.ref == 'refs/heads/main'").refsFor("pull_request");
    expect(rule).toEqual({ kind: "only", refs: ["refs/heads/main"], prefixes: [] });
    expect(namesUnder(rule, "refs/pull/")).toEqual({ kind: "none" });
    expect(namesUnder(rule, "refs/heads/")).toEqual({ kind: "only", names: ["main"], prefixes: [] });
    expect(
      jobCondition("github.event_name == 'push' && github.ref == 'refs/heads/main'").refsFor("pull_request"),
    ).toEqual({ kind: "never" });
    expect(jobCondition("github.ref_name == 'main'").refsFor("push")).toMatchObject({
      kind: "only",
      refs: ["refs/heads/main", "refs/tags/main", "refs/pull/main"],
    });
    expect(jobCondition("startsWith(github.ref, 'refs/tags/')").refsFor("push")).toEqual({
      kind: "only",
      refs: [],
      prefixes: ["refs/tags/"],
    });
    expect(jobCondition("github.ref != 'refs/heads/main'").refsFor("push")).toEqual({
      kind: "except",
      refs: ["refs/heads/main"],
      prefixes: [],
    });
    expect(namesUnder(jobCondition("!startsWith(github.ref, 'refs/tags/')").refsFor("push"), "refs/tags/")).toEqual({
      kind: "none",
    });
  });
  it("anything else is unknown: the job may run; an unread event_name test is flagged", () => {
    for (const c of [
      "contains(github.event.comment.body, '/deploy')",
      "inputs.deploy",
      "github.event_name == inputs.event",
      "${{ a }} && ${{ b }}",
      "github.event_name ==",
      "github.ref < 'x'",
    ]) {
      expect(reach(c, "pull_request"), c).toBe("maybe");
      expect(jobCondition(c).refsFor("push"), c).toEqual({ kind: "except", refs: [], prefixes: [] });
    }
    expect(jobCondition("contains(fromJSON('[\"push\"]'), github.event_name)").opaqueEventTest).toBe(true);
    expect(jobCondition("github.event_name == 'push'").opaqueEventTest).toBe(false);
    expect(reach("", "push")).toBe("yes");
    expect(jobCondition(undefined).reaches("push")).toBe("yes");
  });
  it("strings: '' escapes a quote", () => {
    expect(reach("github.ref == 'it''s' || github.event_name == 'push'", "push")).toBe("yes");
  });
});

describe("job if: in predicted claims", () => {
  const job = (cond: string) => `jobs:\n  j:\n    if: ${cond}\n    runs-on: x\n    steps: [{ run: echo }]\n`;
  const on = "on:\n  push:\n    branches: [main]\n  pull_request:\n  workflow_dispatch:\n  release:\n";
  it("a trigger the if: excludes yields no situation", () => {
    expect(situations(`${on}${job("github.event_name == 'push'")}`).map((s) => s.event)).toEqual(["push"]);
    expect(situations(`${on}${job("github.event_name != 'pull_request'")}`).map((s) => s.event)).toEqual([
      "push",
      "workflow_dispatch",
      "release",
    ]);
    expect(
      situations(`${on}${job("github.event_name == 'push' && github.ref == 'refs/heads/main'")}`).map((s) => s.sub),
    ).toEqual(["repo:acme/app:ref:refs/heads/main"]);
  });
  it("github.ref == pins open sets; a tag prefix narrows the tag set", () => {
    expect(situations(`${on}${job("github.ref == 'refs/heads/main'")}`).map((s) => `${s.event} ${s.sub}`)).toEqual([
      "push repo:acme/app:ref:refs/heads/main",
      "workflow_dispatch repo:acme/app:ref:refs/heads/main",
    ]);
    const tags = situations(`on:\n  push:\n    tags: ["*"]\n${job("startsWith(github.ref, 'refs/tags/v')")}`);
    expect(tags).toEqual([{ event: "push", kind: "tag", sub: "repo:acme/app:ref:refs/tags/<tag>", holes: ["*"] }]);
  });
  it("github.ref != leaves the rest of the set open", () => {
    const s = situations(`on: workflow_dispatch\n${job("github.ref != 'refs/heads/main'")}`);
    expect(s.map((x) => x.sub)).toEqual(["repo:acme/app:ref:refs/heads/<branch>"]);
  });
});

describe("step if:, merge queues, releases and workflow_run guards", () => {
  const settings = { ...defaultSettings(), repository: "acme/app" };
  const parse = (yaml: string) => {
    const parsed = parseWorkflow(
      { path: ".github/workflows/w.yml", abs: "/x/.github/workflows/w.yml", text: yaml },
      { root: "/x", settings, readFile: () => undefined },
    );
    const wf = parsed.workflows[0];
    const job = wf?.jobs[0];
    if (!wf || !job) throw new Error("no job");
    return { wf, job };
  };
  it("the step's if: narrows like the job's; both must hold", () => {
    const { wf, job } = parse(
      "on: [pull_request, push]\njobs:\n  j:\n    if: github.ref == 'refs/heads/main' || github.event_name == 'pull_request'\n    runs-on: x\n    steps:\n      - if: github.event_name == 'push'\n        uses: aws-actions/configure-aws-credentials@v4\n",
    );
    const step = job.steps[0];
    expect(jobSituations(wf, job, settings).map((s) => s.event)).toEqual(["pull_request", "push"]);
    expect(jobSituations(wf, job, settings, step).map((s) => `${s.event} ${renderSub(s)}`)).toEqual([
      "push repo:acme/app:ref:refs/heads/main",
    ]);
    expect(jobCondition("github.event_name == 'push'", undefined).reaches("pull_request")).toBe("no");
    expect(jobCondition(undefined, "success()").reaches("pull_request")).toBe("maybe");
  });
  it("merge_group: the branches filter names the queue's base; samples are real queue branch names", () => {
    const { wf, job } = parse(
      "on:\n  merge_group:\n    branches: [main]\njobs:\n  j:\n    runs-on: x\n    steps: [{ run: echo }]\n",
    );
    const [s] = jobSituations(wf, job, settings);
    expect(s?.holes?.include).toEqual(["gh-readonly-queue/main/pr-*"]);
    expect(holeAdmits(s?.holes ?? {}, "gh-readonly-queue/main/pr-123-3f9a1c27d4b85e60f1a2b3c4d5e6f708192a3b4c")).toBe(
      true,
    );
    expect(holeAdmits(s?.holes ?? {}, "gh-readonly-queue/dev/pr-1-abc")).toBe(false);
    const open = parse("on: merge_group\njobs:\n  j:\n    runs-on: x\n    steps: [{ run: echo }]\n");
    expect(jobSituations(open.wf, open.job, settings)[0]?.holes?.include).toEqual(["gh-readonly-queue/**/pr-*"]);
  });
  it("release: github.event.release.tag_name is the tag of github.ref", () => {
    expect(jobCondition("startsWith(github.event.release.tag_name, 'v')").refsFor("release")).toEqual({
      kind: "only",
      refs: [],
      prefixes: ["refs/tags/v"],
    });
    expect(jobCondition("github.event.release.tag_name == 'v1'").refsFor("push")).toEqual({ kind: "never" });
  });
  it("workflow_run: guards that exclude runs of fork code", () => {
    for (const c of [
      "github.event.workflow_run.event == 'push'",
      "github.event.workflow_run.event != 'pull_request'",
      "github.event.workflow_run.head_repository.full_name == github.repository",
      "github.repository == github.event.workflow_run.head_repository.full_name && github.event.workflow_run.conclusion == 'success'",
      "!github.event.workflow_run.head_repository.fork",
      "github.event.workflow_run.head_repository.fork == false",
    ]) {
      expect(jobCondition(c).reachesUntrusted("workflow_run"), c).toBe("no");
      expect(jobCondition(c).reaches("workflow_run"), c).toBe("maybe");
    }
    for (const c of [
      "github.event.workflow_run.conclusion == 'success'",
      "github.event.workflow_run.event == 'pull_request'",
      "github.event.workflow_run.event == 'push' || github.event.workflow_run.conclusion == 'success'",
    ]) {
      expect(jobCondition(c).reachesUntrusted("workflow_run"), c).not.toBe("no");
    }
    // Unguarded workflow_run jobs stay reachable.
    expect(jobCondition(undefined).reachesUntrusted("workflow_run")).toBe("yes");
  });
});

describe("hole sets with prefixes", () => {
  it("holeAdmits and describeHole read prefixes", () => {
    expect(holeAdmits({ include: ["*"], prefixes: ["v"] }, "v1")).toBe(true);
    expect(holeAdmits({ include: ["*"], prefixes: ["v"] }, "1.0")).toBe(false);
    const settings = { ...defaultSettings(), repository: "acme/app" };
    const parsed = parseWorkflow(
      {
        path: ".github/workflows/w.yml",
        abs: "/x/.github/workflows/w.yml",
        text: `on:\n  push:\n    tags: ["*"]\njobs:\n  j:\n    if: startsWith(github.ref, 'refs/tags/v')\n    runs-on: x\n    steps: [{ run: echo }]\n`,
      },
      { root: "/x", settings, readFile: () => undefined },
    );
    const wf = parsed.workflows[0];
    const j = wf?.jobs[0];
    if (!wf || !j) throw new Error("no job");
    const [s] = jobSituations(wf, j, settings);
    if (!s) throw new Error("no situation");
    expect(describeHole(s)).toBe("any tag matching `*`, starting with `v`");
    expect(s.holes?.prefixes).toEqual(["v"]);
    expect(findRefusedClaim([], s.claims, settings, s.holes).verdict).toBe("undecided");
  });
});

describe("role ARNs", () => {
  const v = (parts: (string | { unknown: string })[]) => ({
    parts,
    loc: { file: "f", line: 1, column: 1, endLine: 1, endColumn: 1 },
  });
  it("reads name and path; an account from a secret is fine; a whole expression is not a role", () => {
    expect(parseRoleArn(v(["arn:aws:iam::123456789012:role/ci/deploy"]))).toEqual({
      arn: "arn:aws:iam::123456789012:role/ci/deploy",
      name: "deploy",
      path: "/ci/",
    });
    expect(parseRoleArn(v(["arn:aws:iam::", { unknown: "secrets.ACCOUNT" }, ":role/deploy"]))).toEqual({
      name: "deploy",
      path: "/",
    });
    expect(parseRoleArn(v([{ unknown: "secrets.ROLE" }]))).toBeUndefined();
    expect(parseRoleArn(v(["arn:aws:iam::1:role/", { unknown: "vars.NAME" }]))).toBeUndefined();
  });
});
