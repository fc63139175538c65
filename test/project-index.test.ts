import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProject } from "../src/engine/load-project.js";
import { resolveRole } from "../src/analysis/role-assumptions.js";
import { localCallee } from "../src/analysis/token-use.js";
import type { ProjectIndex } from "../src/analysis/project-index.js";

/** The per-run index answers the cross-file questions with map lookups; these are its answers. */

const TRUST = `jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringEquals = { "token.actions.githubusercontent.com:sub" = "repo:acme/app:ref:refs/heads/main" } }
    }]
  })`;

const FILES: Record<string, string> = {
  "infra/roles.tf": `resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = ${TRUST}
}

resource "aws_iam_role" "ci" {
  name_prefix        = "ci-"
  path               = "/team/"
  assume_role_policy = ${TRUST}
}

resource "aws_iam_role" "any" {
  name_prefix        = ""
  path               = "/any/"
  assume_role_policy = ${TRUST}
}
`,
  "policies/trust.json": JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main" } },
      },
    ],
  }),
  ".oidclintrc.json": JSON.stringify({
    repository: "acme/app",
    roles: { "arn:aws:iam::123456789012:role/mapped": "./policies/trust.json" },
  }),
  ".github/workflows/called.yml":
    "on: workflow_call\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n",
};

async function index(): Promise<ProjectIndex> {
  const dir = mkdtempSync(join(tmpdir(), "oidclint-index-"));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return (await loadProject({ cwd: dir })).index;
}

const arn = (tail: string) => ({
  parts: [`arn:aws:iam::123456789012:role/${tail}`],
  loc: { file: "x", line: 1, column: 1, endLine: 1, endColumn: 2 },
});

describe("per-run index", () => {
  it("resolves a role ARN by exact name, by name_prefix (a proper prefix) and by path", async () => {
    const ix = await index();
    const labels = (tail: string) => resolveRole(arn(tail), ix).map((r) => r.label);
    expect(labels("deploy")).toEqual(["`aws_iam_role.deploy` (infra/roles.tf:1)"]);
    expect(labels("team/ci-7f3a")).toEqual(["`aws_iam_role.ci` (infra/roles.tf:14)"]);
    // The path must match; the prefix alone is not a name.
    expect(labels("ci-7f3a")).toEqual([]);
    expect(labels("team/ci-")).toEqual([]);
    // An empty prefix admits any name under its path.
    expect(labels("any/whatever")).toEqual(["`aws_iam_role.any` (infra/roles.tf:28)"]);
    expect(labels("other")).toEqual([]);
  });

  it("resolves the `roles` config map to the trust documents of the file it names", async () => {
    const ix = await index();
    const found = resolveRole(arn("mapped"), ix);
    expect(found.map((r) => [r.label, r.docs.map((d) => d.loc.file)])).toEqual([
      ["`./policies/trust.json` (config `roles`)", ["policies/trust.json"]],
    ]);
  });

  it("finds a local reusable workflow by its path or a path it ends with, never by a partial segment", async () => {
    const ix = await index();
    expect(localCallee(ix, "./.github/workflows/called.yml")?.file).toBe(".github/workflows/called.yml");
    expect(localCallee(ix, "./.github/workflows/called.yml@main")?.file).toBe(".github/workflows/called.yml");
    expect(localCallee(ix, "./workflows/called.yml")?.file).toBe(".github/workflows/called.yml");
    expect(localCallee(ix, "./flows/called.yml")).toBeUndefined();
    expect(localCallee(ix, "acme/app/.github/workflows/called.yml@main")).toBeUndefined();
  });
});
