/**
 * The pre-commit hook, for real: Debian's `pre-commit` (apt-get install pre-commit) installed as the git
 * hook of a temporary repository, `git commit` with staged files. The hook is `repo: local` with the
 * `files`, `args` and `require_serial` of our `.pre-commit-hooks.yaml`, and the built `bin/oidclint.js`
 * as entry (pre-commit's own node install of the manifest — `npm pack` of this repository and a global
 * install — takes about a minute and needs the registry: it runs with OIDCLINT_SLOW_TESTS=1).
 * Skipped, with a note, when `pre-commit` is not installed.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployWorkflow, ROOT, tfTrust } from "./helpers.js";

const hasPreCommit = spawnSync("pre-commit", ["--version"], { encoding: "utf8" }).status === 0;
if (!hasPreCommit) console.warn("pre-commit is not installed (apt-get install pre-commit): skipping the hook tests");

interface HookManifest {
  id: string;
  entry: string;
  language: string;
  files: string;
  args?: string[];
  require_serial?: boolean;
}
const manifest = parse(readFileSync(join(ROOT, ".pre-commit-hooks.yaml"), "utf8")) as HookManifest[];
const hook = manifest.find((h) => h.id === "oidclint");

const GOOD_TRUST = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": { "Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": { "StringEquals": {
      "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
      "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"
    } }
  }]
}
`;
const BAD_TRUST = GOOD_TRUST.replace(
  `,\n      "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"`,
  "",
);

/** A role that only the main branch of acme/app may assume, and a workflow that assumes it from `release`. */
const ROLE_TF = `resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = ${tfTrust("repo:acme/app:ref:refs/heads/main", "StringEquals")}
}
`;
const RELEASE_WORKFLOW = deployWorkflow("deploy", { name: "deploy", branches: ["release"] });

let work = "";
let repo = "";
function sh(cmd: string, args: string[], cwd = repo): string {
  return execFileSync(cmd, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, PRE_COMMIT_HOME: join(work, "cache"), GIT_TERMINAL_PROMPT: "0" },
  });
}
function commit(message: string): { status: number | null; output: string } {
  const r = spawnSync("git", ["commit", "-m", message], {
    cwd: repo,
    encoding: "utf8",
    env: { ...process.env, PRE_COMMIT_HOME: join(work, "cache"), NO_COLOR: "1" },
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
function write(rel: string, text: string): void {
  mkdirSync(dirname(join(repo, rel)), { recursive: true });
  writeFileSync(join(repo, rel), text);
}

describe.skipIf(!hasPreCommit)("pre-commit hook", () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "oidclint-precommit-"));
    repo = join(work, "repo");
    mkdirSync(repo);
    sh("git", ["init", "-q", "-b", "main"]);
    sh("git", ["config", "user.email", "test@example.invalid"]);
    sh("git", ["config", "user.name", "test"]);
    sh("git", ["remote", "add", "origin", "https://github.com/acme/app.git"]);
    const config = {
      repos: [
        {
          repo: "local",
          hooks: [
            {
              id: hook?.id,
              name: "oidclint",
              entry: `${process.execPath} ${join(ROOT, "bin/oidclint.js")}`,
              language: "system",
              files: hook?.files,
              args: hook?.args,
              require_serial: hook?.require_serial,
            },
          ],
        },
      ],
    };
    writeFileSync(join(repo, ".pre-commit-config.yaml"), JSON.stringify(config, null, 2));
    sh("git", ["add", ".pre-commit-config.yaml"]);
    sh("pre-commit", ["install"]);
    expect(commit("pre-commit config").status).toBe(0);
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("the manifest is a node hook over Terraform, JSON and YAML files, with the repository as context", () => {
    expect(hook).toMatchObject({
      id: "oidclint",
      entry: "oidclint",
      language: "node",
      args: ["--context", "."],
      require_serial: true,
    });
    const files = new RegExp(hook?.files ?? "^$");
    for (const f of ["main.tf", "x.tf.json", "prod.tfvars", "trust.json", ".github/workflows/a.yml", "template.yaml"])
      expect(files.test(f), f).toBe(true);
    for (const f of ["README.md", "main.py", "x.tfstate"]) expect(files.test(f), f).toBe(false);
  });

  it("blocks a commit of a bad trust policy and prints the finding", () => {
    write("iam/trust.json", BAD_TRUST);
    sh("git", ["add", "iam/trust.json"]);
    const r = commit("open trust");
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/oidclint\.+Failed/);
    expect(r.output).toContain("iam/trust.json");
    expect(r.output).toMatch(/error .*missing-sub-condition/);
  });

  it("lets a good one through", () => {
    write("iam/trust.json", GOOD_TRUST);
    sh("git", ["add", "iam/trust.json"]);
    const r = commit("scoped trust");
    expect(r.output).toMatch(/oidclint\.+Passed/);
    expect(r.status).toBe(0);
  });

  it("reports only the staged files: a bad file already in the repository does not block an unrelated commit", () => {
    // Commit a bad policy past the hook, then stage only a good file.
    write("legacy/open.json", BAD_TRUST);
    sh("git", ["add", "legacy/open.json"]);
    sh("git", ["commit", "-q", "--no-verify", "-m", "legacy"]);
    write("iam/other.json", GOOD_TRUST.replace("main", "release"));
    sh("git", ["add", "iam/other.json"]);
    const r = commit("another scoped trust");
    expect(r.output).not.toContain("legacy/open.json");
    expect(r.status).toBe(0);
  });

  it("skips files the hook does not cover", () => {
    write("notes.md", "# notes\n");
    sh("git", ["add", "notes.md"]);
    const r = commit("notes");
    expect(r.output).toMatch(/oidclint\.+\(no files to check\)Skipped/);
    expect(r.status).toBe(0);
  });

  it("sees the rest of the repository through --context: a staged workflow is checked against a committed role", () => {
    write("infra/role.tf", ROLE_TF);
    sh("git", ["add", "infra/role.tf"]);
    sh("git", ["commit", "-q", "--no-verify", "-m", "role"]);
    write(".github/workflows/deploy.yml", RELEASE_WORKFLOW);
    sh("git", ["add", ".github/workflows/deploy.yml"]);
    // Without the context the role is unknown and nothing can be predicted.
    const alone = spawnSync(process.execPath, [join(ROOT, "bin/oidclint.js"), ".github/workflows/deploy.yml"], {
      cwd: repo,
      encoding: "utf8",
    });
    expect(alone.stdout).not.toContain("trust-mismatch");
    const r = commit("deploy from release");
    expect(r.status).not.toBe(0);
    expect(r.output).toContain(".github/workflows/deploy.yml");
    expect(r.output).toMatch(/error .*trust-mismatch/);
    expect(r.output).not.toMatch(/^infra\/role\.tf$/m);
  });
});

describe.skipIf(!hasPreCommit || !process.env.OIDCLINT_SLOW_TESTS)(
  "pre-commit try-repo (slow: npm install of this repository)",
  () => {
    it("installs the hook from the manifest with language: node and runs it", () => {
      const dir = mkdtempSync(join(tmpdir(), "oidclint-tryrepo-"));
      try {
        // A clone holds only committed files, as a user's `rev:` would.
        execFileSync("git", ["clone", "-q", ROOT, join(dir, "hook")]);
        const proj = join(dir, "proj");
        mkdirSync(proj);
        execFileSync("git", ["init", "-q"], { cwd: proj });
        writeFileSync(join(proj, "trust.json"), BAD_TRUST);
        execFileSync("git", ["add", "trust.json"], { cwd: proj });
        const r = spawnSync("pre-commit", ["try-repo", join(dir, "hook"), "oidclint"], {
          cwd: proj,
          encoding: "utf8",
          env: { ...process.env, PRE_COMMIT_HOME: join(dir, "cache") },
        });
        expect(r.stdout).toMatch(/missing-sub-condition/);
        expect(r.status).toBe(1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 300_000);
  },
);
