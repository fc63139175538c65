/**
 * The default branch's name, when nothing says it (no `defaultBranch` in the config, no `origin/HEAD`, no GitHub
 * Actions event): `main` is only assumed, and what depends on the name is not claimed. A role pinned to `master`
 * is not "refused" for a nightly run, and a manual run is judged against the branch the role names.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findingLines, run } from "./helpers.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A repository outside any git work tree (the system's temporary directory), with these files. */
function repository(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "oidclint-default-branch-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const ROLE = (sub: string): string =>
  JSON.stringify({
    Role: {
      RoleName: "release",
      AssumeRolePolicyDocument: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": sub,
              },
            },
          },
        ],
      },
    },
  });

const WORKFLOW = (on: string): string => `on:
${on}
permissions:
  id-token: write
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/release
          aws-region: eu-west-1
`;

const CONFIG = (extra: Record<string, string> = {}): string => JSON.stringify({ repository: "acme/tools", ...extra });

async function findings(files: Record<string, string>): Promise<string[]> {
  const dir = repository(files);
  return findingLines(await run({ cwd: dir }), dir, { withFile: true, ruleId: "trust-mismatch", full: true });
}

describe("a default branch nothing names", () => {
  const nightly = WORKFLOW('  schedule:\n    - cron: "0 4 * * *"');
  const manual = WORKFLOW("  workflow_dispatch: {}");
  const master = ROLE("repo:acme/tools:ref:refs/heads/master");

  it("claims nothing about a run on it", async () => {
    const files = { ".oidclintrc.json": CONFIG(), ".github/workflows/nightly.yml": nightly, "role.json": master };
    expect(await findings(files)).toEqual([]);
  });
  it("still judges the run once the config names the branch", async () => {
    const files = {
      ".oidclintrc.json": CONFIG({ defaultBranch: "main" }),
      ".github/workflows/nightly.yml": nightly,
      "role.json": master,
    };
    expect(await findings(files)).toEqual([
      ".github/workflows/nightly.yml:12:27-12:65 error trust-mismatch/refused: Role refuses job `release`'s sub `repo:acme/tools:ref:refs/heads/main`",
    ]);
  });
  it("warns that manual runs need the branch the role names, instead of an error against an assumed main", async () => {
    const files = { ".oidclintrc.json": CONFIG(), ".github/workflows/manual.yml": manual, "role.json": master };
    expect(await findings(files)).toEqual([
      ".github/workflows/manual.yml:11:27-11:65 warn trust-mismatch/manualRun: Manual runs of job `release` from a branch other than `master` are refused",
    ]);
    files[".oidclintrc.json"] = CONFIG({ defaultBranch: "main" });
    expect((await findings(files))[0]).toMatch(/error trust-mismatch\/refused/);
  });
});
