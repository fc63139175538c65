import { describe, expect, it } from "vitest";
import { defaultSettings, type ResolvedSettings } from "../src/config/settings.js";
import { jobSituations, renderSub } from "../src/model/claims.js";
import { parseRoleArn } from "../src/model/roles.js";
import { parseWorkflow } from "../src/parsers/workflow/index.js";

function situations(yaml: string, extra: Partial<ResolvedSettings> = {}): { event: string; kind: string; sub: string; holes?: unknown }[] {
  const settings = { ...defaultSettings(), repository: "acme/app", ...extra };
  const parsed = parseWorkflow({ path: ".github/workflows/w.yml", abs: "/x/.github/workflows/w.yml", text: yaml }, { root: "/x", settings, readFile: () => undefined });
  const wf = parsed.workflows[0];
  const job = wf?.jobs[0];
  if (!wf || !job) throw new Error("no job");
  return jobSituations(wf, job, settings).map((s) => ({ event: s.event, kind: s.kind, sub: renderSub(s), ...(s.holes?.include ? { holes: s.holes.include } : {}) }));
}

const JOB = "jobs:\n  j:\n    runs-on: x\n    steps: [{ run: echo }]\n";

describe("predicted claims", () => {
  it("push with branch filter: branches only; tags only when filtered for", () => {
    expect(situations(`on:\n  push:\n    branches: [main]\n${JOB}`)).toEqual([{ event: "push", kind: "branch", sub: "repo:acme/app:ref:refs/heads/<branch>", holes: ["main"] }]);
    expect(situations(`on:\n  push:\n    tags: ["v*"]\n${JOB}`).map((s) => s.kind)).toEqual(["tag"]);
    expect(situations(`on: push\n${JOB}`).map((s) => s.kind)).toEqual(["branch", "tag"]);
  });
  it("pull_request, base-branch events and environment precedence", () => {
    const s = situations(`on: [pull_request, pull_request_target, schedule, workflow_run, issue_comment]\n${JOB}`, { defaultBranch: "trunk" });
    expect(s.map((x) => x.sub)).toEqual([
      "repo:acme/app:pull_request",
      "repo:acme/app:ref:refs/heads/trunk",
      "repo:acme/app:ref:refs/heads/trunk",
      "repo:acme/app:ref:refs/heads/trunk",
      "repo:acme/app:ref:refs/heads/trunk",
    ]);
    const env = situations(`on: [pull_request, push]\njobs:\n  j:\n    runs-on: x\n    environment: { name: "prod:eu" }\n    steps: [{ run: echo }]\n`);
    expect(new Set(env.map((x) => x.sub))).toEqual(new Set(["repo:acme/app:environment:prod%3Aeu"]));
  });
  it("unknown environment and workflow_call are unknown, not guessed", () => {
    expect(situations(`on: push\njobs:\n  j:\n    runs-on: x\n    environment: \${{ inputs.env }}\n    steps: [{ run: echo }]\n`).every((s) => s.kind === "unknown")).toBe(true);
    expect(situations(`on: workflow_call\n${JOB}`)[0]?.kind).toBe("unknown");
  });
  it("a customised template puts the other claims after the context", () => {
    const s = situations(`on: pull_request\n${JOB}`, { subClaimTemplate: ["repo", "context", "job_workflow_ref"] });
    expect(s[0]?.sub).toBe("repo:acme/app:pull_request:job_workflow_ref:acme/app/.github/workflows/w.yml@refs/pull/<id>/merge");
  });
  it("a job if pinning github.ref narrows workflow_dispatch", () => {
    const s = situations(`on: workflow_dispatch\njobs:\n  j:\n    if: github.ref == 'refs/heads/main'\n    runs-on: x\n    steps: [{ run: echo }]\n`);
    expect(s).toEqual([{ event: "workflow_dispatch", kind: "branch", sub: "repo:acme/app:ref:refs/heads/main" }]);
  });
});

describe("role ARNs", () => {
  const v = (parts: (string | { unknown: string })[]) => ({ parts, loc: { file: "f", line: 1, column: 1, endLine: 1, endColumn: 1 } });
  it("reads name and path; an account from a secret is fine; a whole expression is not a role", () => {
    expect(parseRoleArn(v(["arn:aws:iam::123456789012:role/ci/deploy"]))).toEqual({ arn: "arn:aws:iam::123456789012:role/ci/deploy", name: "deploy", path: "/ci/" });
    expect(parseRoleArn(v(["arn:aws:iam::", { unknown: "secrets.ACCOUNT" }, ":role/deploy"]))).toEqual({ name: "deploy", path: "/" });
    expect(parseRoleArn(v([{ unknown: "secrets.ROLE" }]))).toBeUndefined();
    expect(parseRoleArn(v(["arn:aws:iam::1:role/", { unknown: "vars.NAME" }]))).toBeUndefined();
  });
});
