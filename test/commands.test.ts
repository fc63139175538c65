import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main, type CliIO } from "../src/cli.js";

function io(cwd: string, stdin = ""): CliIO & { out: string; err: string } {
  const o = {
    out: "",
    err: "",
    stdout: (s: string) => {
      o.out += s;
    },
    stderr: (s: string) => {
      o.err += s;
    },
    readStdin: () => Promise.resolve(stdin),
    isTTY: false,
    cwd,
    env: {},
  };
  return o;
}

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "oidclint-cmd-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

function trust(sub: string | string[], extra: Record<string, unknown> = {}, op = "StringLike"): string {
  return JSON.stringify(
    {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: PROVIDER },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
            [op]: { "token.actions.githubusercontent.com:sub": sub },
            ...extra,
          },
        },
      ],
    },
    null,
    2,
  );
}

function jwt(claims: Record<string, unknown>): string {
  const b = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b({ alg: "RS256", typ: "JWT" })}.${b(claims)}.c2ln`;
}

describe("oidclint check", () => {
  it("accepts a sub that a StringLike pattern admits (exit 0)", async () => {
    const cwd = project({ "trust.json": trust("repo:acme/app:ref:refs/heads/*") });
    const o = io(cwd);
    expect(
      await main(
        [
          "check",
          "--policy",
          "trust.json",
          "--sub",
          "repo:acme/app:ref:refs/heads/release/1.0",
          "--aud",
          "sts.amazonaws.com",
        ],
        o,
      ),
    ).toBe(0);
    expect(o.out).toContain("ACCEPTED");
    expect(o.out).toContain("✔ pass");
  });

  it("refuses a pull_request sub against a branch-pinned trust, names the first failing condition and the fix (exit 1)", async () => {
    const cwd = project({ "trust.json": trust("repo:acme/app:ref:refs/heads/main") });
    const o = io(cwd);
    expect(
      await main(
        ["check", "--policy", "trust.json", "--sub", "repo:acme/app:pull_request", "--aud", "sts.amazonaws.com"],
        o,
      ),
    ).toBe(1);
    expect(o.out).toContain("REFUSED");
    expect(o.out).toMatch(
      /✖ FAIL {2}StringLike token\.actions\.githubusercontent\.com:sub repo:acme\/app:ref:refs\/heads\/main {3}← first failing condition/,
    );
    expect(o.out).toContain(
      "policy: or, if this run is meant to assume the role, add exactly `repo:acme/app:pull_request`",
    );
  });

  it("reads a token (also from stdin), shows its claims and suggests the environment", async () => {
    const cwd = project({ "trust.json": trust("repo:acme/app:environment:prod", {}, "StringEquals") });
    const token = jwt({
      sub: "repo:acme/app:ref:refs/heads/main",
      aud: "sts.amazonaws.com",
      iss: "https://token.actions.githubusercontent.com",
      ref: "refs/heads/main",
    });
    const o = io(cwd, `${token}\n`);
    expect(await main(["check", "--policy", "trust.json", "--token", "-"], o)).toBe(1);
    expect(o.out).toContain("ref                    refs/heads/main");
    expect(o.out).toContain("workflow: run the job in the environment the role trusts: `environment: prod`");
  });

  it("StringEquals is literal: a `*` under it does not match", async () => {
    const cwd = project({ "trust.json": trust("repo:acme/app:*", {}, "StringEquals") });
    const o = io(cwd);
    expect(
      await main(
        ["check", "--policy", "trust.json", "--sub", "repo:acme/app:ref:refs/heads/main", "--aud", "sts.amazonaws.com"],
        o,
      ),
    ).toBe(1);
  });

  it("a wrong audience fails the aud condition and suggests the workflow's audience input", async () => {
    const cwd = project({ "trust.json": trust("repo:acme/app:*") });
    const o = io(cwd);
    expect(
      await main(
        ["check", "--policy", "trust.json", "--sub", "repo:acme/app:pull_request", "--aud", "https://github.com/acme"],
        o,
      ),
    ).toBe(1);
    expect(o.out).toContain("audience: sts.amazonaws.com");
  });

  it("--sub alone checks the configured audience and says so", async () => {
    const cwd = project({ "trust.json": trust("repo:acme/app:*") });
    const o = io(cwd);
    expect(await main(["check", "--policy", "trust.json", "--sub", "repo:acme/app:pull_request"], o)).toBe(0);
    expect(o.out).toContain("ACCEPTED");
    expect(o.out).toMatch(/aud {20}sts\.amazonaws\.com {2}\(default: /);
    const custom = project({
      ".oidclintrc.json": '{ "audience": "https://github.com/acme" }',
      "trust.json": trust("repo:acme/app:*"),
    });
    const c = io(custom);
    expect(await main(["check", "--policy", "trust.json", "--sub", "repo:acme/app:pull_request"], c)).toBe(1);
    expect(c.out).toContain("claim aud = https://github.com/acme");
  });

  it("a token without aud: not a GitHub Actions token for AWS; never advises IfExists", async () => {
    const cwd = project({ "trust.json": trust("repo:acme/app:*") });
    const o = io(cwd);
    expect(await main(["check", "--policy", "trust.json", "--token", jwt({ sub: 5 })], o)).toBe(1);
    expect(o.out).toContain("it has no `aud` claim");
    expect(o.out).toContain("audience=sts.amazonaws.com");
    expect(o.out).not.toContain("IfExists");
    expect(o.out).not.toContain("remove the condition");
  });

  it("an immutable-form sub against a name-only pattern: names the immutable form, not the branch", async () => {
    const cwd = project({ "trust.json": trust("repo:acme/app:ref:refs/heads/main") });
    const o = io(cwd);
    expect(
      await main(["check", "--policy", "trust.json", "--sub", "repo:acme@111/app@222:ref:refs/heads/main"], o),
    ).toBe(1);
    expect(o.out).toContain("immutable subjects");
    expect(o.out).toContain("`repo:acme@*/app@*:ref:refs/heads/main`");
    expect(o.out).toContain("`repo:acme@111/app@222:ref:refs/heads/main`");
    expect(o.out).not.toContain("run the job only from");
  });

  describe("fixes: the workflow side first, then exactly the refused claim", () => {
    const both = ["repo:acme/app:ref:refs/heads/main", "repo:acme/app:environment:prod"];
    async function fixes(policy: string, sub: string, aud = "sts.amazonaws.com"): Promise<string[]> {
      const o = io(project({ "trust.json": policy }));
      expect(await main(["check", "--policy", "trust.json", "--sub", sub, "--aud", aud, "-f", "json"], o)).toBe(1);
      return (JSON.parse(o.out) as { fixes: string[] }).fixes;
    }
    const exact = (sub: string, op = "StringLike", line = 15): string =>
      `add exactly \`${sub}\` to the values of \`${op}\` \`token.actions.githubusercontent.com:sub\` (trust.json:${line})`;

    it("another branch: pin the trigger or an if:, then the branch's own claim — never ref:refs/heads/*", async () => {
      const out = await fixes(trust(both), "repo:acme/app:ref:refs/heads/feature/login");
      expect(out).toEqual([
        "workflow: run the job in the environment the role trusts: `environment: prod` (a job with an environment always gets `…:environment:NAME`)",
        "workflow: or run the job only from `main`: pin the trigger (`branches: [main]`) or give the job `if: github.ref == 'refs/heads/main'`",
        `policy: or, if this run is meant to assume the role, ${exact("repo:acme/app:ref:refs/heads/feature/login")}`,
      ]);
      expect(out.join("\n")).not.toMatch(/refs\/heads\/\*|:\*`/);
    });

    it("another environment: the one the role trusts, then dropping the environment, then the exact claim", async () => {
      expect(await fixes(trust(both, {}, "StringEquals"), "repo:acme/app:environment:dev")).toEqual([
        "workflow: use the environment the role trusts: `environment: prod`",
        "workflow: or drop the job's `environment` if the role is meant for branch runs: with one, the sub is `…:environment:NAME`, never `…:ref:refs/heads/main`",
        `policy: or, if this run is meant to assume the role, ${exact("repo:acme/app:environment:dev", "StringEquals", 12)}`,
      ]);
    });

    it("a tag run against a tag pattern and a branch: the branch first; a role for tags only: a tag run", async () => {
      const tagsOnly = await fixes(trust("repo:acme/app:ref:refs/tags/v*"), "repo:acme/app:ref:refs/heads/main");
      expect(tagsOnly[0]).toBe(
        "workflow: assume this role only in tag runs (`on: push: tags: …`, or `if: startsWith(github.ref, 'refs/tags/')`)",
      );
      expect(tagsOnly[1]).toContain(exact("repo:acme/app:ref:refs/heads/main"));
    });

    it("a sub the workflow cannot change (a wildcard-only policy side): the exact claim alone", async () => {
      expect(await fixes(trust("repo:acme/app:ref:refs/heads/release/*"), "repo:acme/app:pull_request")).toEqual([
        `policy: ${exact("repo:acme/app:pull_request")}`,
      ]);
    });

    it("a token from another repository: a role of its own first, never a plain grant to that repository", async () => {
      const out = await fixes(trust("repo:acme/app:ref:refs/heads/main"), "repo:acme/tools:ref:refs/heads/main");
      expect(out).toEqual([
        "workflow: the token comes from `acme/tools`, and the role trusts only `acme/app`: assume a role made for `acme/tools`",
        `policy: if the repository was renamed, write its new name in the pattern; only if this role is meant to serve \`acme/tools\` as well, ${exact("repo:acme/tools:ref:refs/heads/main")}`,
      ]);
      // An owner-wide pattern names no repository: the branch fix stands.
      const owner = await fixes(trust("repo:acme/*:ref:refs/heads/main"), "repo:acme/tools:ref:refs/heads/dev");
      expect(owner[0]).toMatch(/^workflow: run the job only from `main`/);
    });

    it("a wrong audience: the workflow's audience input first, then exactly the token's audience", async () => {
      expect(await fixes(trust("repo:acme/app:*"), "repo:acme/app:pull_request", "https://github.com/acme")).toEqual([
        "workflow: request the audience the role expects: `audience: sts.amazonaws.com` on `aws-actions/configure-aws-credentials`",
        "policy: or, if this run is meant to assume the role, add exactly `https://github.com/acme` to the values of `StringEquals` `token.actions.githubusercontent.com:aud` (trust.json:12)",
      ]);
    });

    it("the text output lists them in the same order", async () => {
      const o = io(project({ "trust.json": trust(both) }));
      await main(["check", "--policy", "trust.json", "--sub", "repo:acme/app:pull_request"], o);
      const lines = o.out.split("\n").filter((l) => l.startsWith("  - "));
      expect(lines.map((l) => /^ {2}- (\w+):/.exec(l)?.[1])).toEqual(["workflow", "workflow", "policy"]);
      expect(lines[1]).toContain("`if: github.event_name != 'pull_request'`");
    });
  });

  it("header names the file once; a binary policy file gets the linter's message", async () => {
    const cwd = project({ "trust.json": trust("repo:acme/app:*"), "bin.json": "\u0000\u0001binary" });
    const o = io(cwd);
    await main(["check", "--policy", "trust.json", "--sub", "repo:acme/app:pull_request"], o);
    expect(o.out.split("\n")[0]).toBe("Trust policy: trust.json:1 (policy JSON)");
    const bin = io(cwd);
    expect(await main(["check", "--policy", "bin.json", "--sub", "x"], bin)).toBe(2);
    expect(bin.err).toContain("bin.json:1:1: file is binary (contains NUL bytes), not a text input");
  });

  it("keys are case-insensitive, values case-sensitive", async () => {
    const policy = trust("repo:Acme/App:*").replace(
      "token.actions.githubusercontent.com:sub",
      "Token.Actions.GithubUserContent.com:SUB",
    );
    const cwd = project({ "trust.json": policy });
    expect(
      await main(
        ["check", "--policy", "trust.json", "--sub", "repo:Acme/App:pull_request", "--aud", "sts.amazonaws.com"],
        io(cwd),
      ),
    ).toBe(0);
    expect(
      await main(
        ["check", "--policy", "trust.json", "--sub", "repo:acme/app:pull_request", "--aud", "sts.amazonaws.com"],
        io(cwd),
      ),
    ).toBe(1);
  });

  it("a Deny statement that applies refuses", async () => {
    const doc = JSON.parse(trust("repo:acme/*")) as { Statement: unknown[] };
    doc.Statement.push({
      Effect: "Deny",
      Principal: { Federated: PROVIDER },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/sandbox:*" } },
    });
    const cwd = project({ "trust.json": JSON.stringify(doc) });
    const o = io(cwd);
    expect(
      await main(
        ["check", "--policy", "trust.json", "--sub", "repo:acme/sandbox:pull_request", "--aud", "sts.amazonaws.com"],
        o,
      ),
    ).toBe(1);
    expect(o.out).toContain("Deny statement");
  });

  it("asks for --role when the file defines several roles, and checks the one named", async () => {
    const tpl = {
      Resources: {
        Deploy: {
          Type: "AWS::IAM::Role",
          Properties: {
            RoleName: "deploy",
            AssumeRolePolicyDocument: JSON.parse(trust("repo:acme/app:ref:refs/heads/main")) as unknown,
          },
        },
        Preview: {
          Type: "AWS::IAM::Role",
          Properties: {
            RoleName: "preview",
            AssumeRolePolicyDocument: JSON.parse(trust("repo:acme/app:pull_request")) as unknown,
          },
        },
      },
    };
    const cwd = project({
      "template.json": JSON.stringify({ AWSTemplateFormatVersion: "2010-09-09", ...tpl }, null, 2),
    });
    const o = io(cwd);
    expect(
      await main(
        ["check", "--policy", "template.json", "--sub", "repo:acme/app:pull_request", "--aud", "sts.amazonaws.com"],
        o,
      ),
    ).toBe(2);
    expect(o.err).toContain("--role");
    expect(
      await main(
        [
          "check",
          "--policy",
          "template.json",
          "--role",
          "preview",
          "--sub",
          "repo:acme/app:pull_request",
          "--aud",
          "sts.amazonaws.com",
        ],
        io(cwd),
      ),
    ).toBe(0);
  });

  it("bad input exits 2 with a clear message", async () => {
    const cwd = project({ "trust.json": trust("repo:acme/app:*"), "broken.json": '{"Statement": [' });
    const missing = io(cwd);
    expect(await main(["check", "--policy", "nope.json", "--sub", "x"], missing)).toBe(2);
    expect(missing.err).toContain("cannot read nope.json");
    const badJwt = io(cwd);
    expect(await main(["check", "--policy", "trust.json", "--token", "not-a-jwt"], badJwt)).toBe(2);
    expect(badJwt.err).toContain("not a JWT");
    const badPayload = io(cwd);
    expect(await main(["check", "--policy", "trust.json", "--token", "a.!!!.c"], badPayload)).toBe(2);
    const broken = io(cwd);
    expect(await main(["check", "--policy", "broken.json", "--sub", "x"], broken)).toBe(2);
    const noClaims = io(cwd);
    expect(await main(["check", "--policy", "trust.json"], noClaims)).toBe(2);
  });
});

describe("oidclint explain", () => {
  const role = JSON.stringify(
    {
      Role: {
        RoleName: "deploy",
        Path: "/",
        AssumeRolePolicyDocument: JSON.parse(trust("repo:acme/app:ref:refs/heads/main")) as unknown,
      },
    },
    null,
    2,
  );
  const workflow = [
    "on:",
    "  push:",
    '    branches: [main, "release/**"]',
    "  pull_request:",
    "permissions: read-all",
    "jobs:",
    "  deploy:",
    "    permissions:",
    "      id-token: write",
    "    runs-on: ubuntu-latest",
    "    steps:",
    "      - uses: aws-actions/configure-aws-credentials@v4",
    "        with:",
    "          role-to-assume: arn:aws:iam::123456789012:role/deploy",
    "          aws-region: eu-west-1",
    "  test:",
    "    runs-on: ubuntu-latest",
    "    steps:",
    "      - run: npm test",
    "",
  ].join("\n");

  it("prints per trigger the sub, the aud, the grant and the roles that accept it", async () => {
    const cwd = project({
      ".oidclintrc.json": '{ "repository": "acme/app" }',
      "role.json": role,
      ".github/workflows/deploy.yml": workflow,
    });
    const o = io(cwd);
    expect(await main(["explain", ".github/workflows/deploy.yml"], o)).toBe(0);
    expect(o.out).toContain("id-token: write is effective (from the job's `permissions`)");
    expect(o.out).toContain("sub  repo:acme/app:ref:refs/heads/<branch>");
    expect(o.out).toContain("sub  repo:acme/app:pull_request");
    expect(o.out).toContain("aud  sts.amazonaws.com");
    expect(o.out).toMatch(/accepted by: deploy \(role deploy\) — role\.json:2, only for `main`/);
    expect(o.out).toContain("(<branch>: any branch matching `main`, `release/**`)");
    expect(o.out).toContain("  on pull_request\n");
    expect(o.out).toMatch(/refuses this \(e\.g\. branch `release\/[^`]+`\): AccessDenied/);
    expect(o.out).toContain("Job test\n  requests no OIDC token\n");
  });

  it("honours the job's if:, and names fixed branches without placeholders", async () => {
    const wf = workflow
      .replace('[main, "release/**"]', "[main]")
      .replace(
        "    permissions:\n      id-token: write\n",
        "    if: github.event_name == 'push'\n    permissions:\n      id-token: write\n",
      );
    const cwd = project({
      ".oidclintrc.json": '{ "repository": "acme/app" }',
      "role.json": role,
      ".github/workflows/deploy.yml": wf,
    });
    const o = io(cwd);
    expect(await main(["explain", ".github/workflows/deploy.yml", "--job", "deploy"], o)).toBe(0);
    expect(o.out).toContain("not on pull_request: the job's `if:` excludes it");
    expect(o.out).toContain("sub  repo:acme/app:ref:refs/heads/main\n");
    expect(o.out).not.toContain("sub  repo:acme/app:pull_request");
    expect(o.out).not.toContain("<branch>");
  });

  it("honours the if: of the step that assumes the role", async () => {
    const wf = workflow
      .replace('[main, "release/**"]', "[main]")
      .replace(
        "      - uses: aws-actions/configure-aws-credentials@v4\n",
        "      - if: github.event_name == 'push'\n        uses: aws-actions/configure-aws-credentials@v4\n",
      );
    const cwd = project({
      ".oidclintrc.json": '{ "repository": "acme/app" }',
      "role.json": role,
      ".github/workflows/deploy.yml": wf,
    });
    const o = io(cwd);
    expect(await main(["explain", ".github/workflows/deploy.yml", "--job", "deploy"], o)).toBe(0);
    expect(o.out).toContain("not on pull_request: the step's `if:` excludes it");
    expect(o.out).not.toContain("AccessDenied");
  });

  it("run from outside the repository, uses that repository's root and config, and names files it could not read", async () => {
    const other = JSON.stringify(
      { Role: { RoleName: "unrelated", Path: "/", AssumeRolePolicyDocument: JSON.parse(trust("repo:*")) as unknown } },
      null,
      2,
    );
    const cwd = project({
      ".oidclintrc.json": '{ "repository": "elsewhere/other" }',
      "unrelated.json": other,
      "repo/.oidclintrc.json": '{ "repository": "acme/app", "defaultBranch": "trunk" }',
      "repo/role.json": role,
      "repo/.github/workflows/deploy.yml": workflow,
      "repo/.github/workflows/broken.yml": "on: [push\njobs:\n",
    });
    const o = io(cwd);
    expect(await main(["explain", "repo/.github/workflows/deploy.yml", "--job", "deploy"], o)).toBe(0);
    expect(o.out.split("\n")[0]).toBe(".github/workflows/deploy.yml");
    expect(o.out).toContain("repository acme/app, default branch trunk");
    expect(o.out).toMatch(/accepted by: deploy \(role deploy\) — role\.json:2/);
    expect(o.out).not.toContain("unrelated");
    expect(o.err).toMatch(/^oidclint explain: not read: \.github\/workflows\/broken\.yml:\d+:\d+: /m);
    // The same answer from inside the repository.
    const inside = io(join(cwd, "repo"));
    expect(await main(["explain", ".github/workflows/deploy.yml", "--job", "deploy"], inside)).toBe(0);
    expect(inside.out).toBe(o.out);
  });

  it("--job selects one job; unknown job, missing file or non-workflow exit 2", async () => {
    const cwd = project({
      ".oidclintrc.json": '{ "repository": "acme/app" }',
      "role.json": role,
      ".github/workflows/deploy.yml": workflow,
    });
    const one = io(cwd);
    expect(await main(["explain", ".github/workflows/deploy.yml", "--job", "test"], one)).toBe(0);
    expect(one.out).not.toContain("Job deploy");
    const bad = io(cwd);
    expect(await main(["explain", ".github/workflows/deploy.yml", "--job", "nope"], bad)).toBe(2);
    expect(bad.err).toContain("no job `nope`");
    expect(await main(["explain", "role.json"], io(cwd))).toBe(2);
    expect(await main(["explain"], io(cwd))).toBe(2);
  });

  it("--format json: the same answer as data, per job, trigger and role", async () => {
    const cwd = project({
      ".oidclintrc.json": '{ "repository": "acme/app" }',
      "role.json": role,
      ".github/workflows/deploy.yml": workflow,
    });
    const o = io(cwd);
    expect(await main(["explain", ".github/workflows/deploy.yml", "--format", "json"], o)).toBe(0);
    const data = JSON.parse(o.out) as {
      workflow: string;
      repository: string;
      roles: { role: string; file: string; line: number }[];
      jobs: {
        id: string;
        needsToken: string;
        idToken: { effective: string; from: string };
        variants: {
          assumes: { role: string; status: string; definedBy: string[] }[];
          situations: {
            event: string;
            kind: string;
            sub: string | null;
            names?: string;
            aud: string;
            acceptedBy: { role: string; onlyFor?: string[] }[];
            assumedRefusedBy: { role: string; example?: string }[];
          }[];
        }[];
      }[];
    };
    expect(data.workflow).toBe(".github/workflows/deploy.yml");
    expect(data.repository).toBe("acme/app");
    expect(data.roles).toEqual([
      { role: "deploy (role deploy) — role.json:2", file: "role.json", line: 2, column: 11 },
    ]);
    const [deploy, test] = data.jobs;
    expect(test).toMatchObject({ id: "test", needsToken: "no", variants: [] });
    expect(deploy?.idToken).toEqual({ effective: "write", from: "job" });
    expect(deploy?.variants[0]?.assumes).toEqual([
      {
        role: "arn:aws:iam::123456789012:role/deploy",
        definedBy: ["`role deploy` (role.json:2)"],
        status: "defined",
      },
    ]);
    const situations = deploy?.variants[0]?.situations ?? [];
    const push = situations.find((s) => s.event === "push");
    expect(push).toMatchObject({
      kind: "branch",
      sub: "repo:acme/app:ref:refs/heads/<branch>",
      names: "any branch matching `main`, `release/**`",
      aud: "sts.amazonaws.com (default of configure-aws-credentials)",
      acceptedBy: [{ role: "deploy (role deploy) — role.json:2", onlyFor: ["main"] }],
    });
    expect(push?.assumedRefusedBy[0]?.example).toMatch(/^release\//);
    expect(situations.find((s) => s.event === "pull_request")?.sub).toBe("repo:acme/app:pull_request");
    // The text and the JSON say the same: the text is rendered from it.
    const text = io(cwd);
    await main(["explain", ".github/workflows/deploy.yml"], text);
    expect(text.out).toContain(`sub  ${push?.sub ?? "?"}`);
  });

  it("--context reads roles from another directory (an infrastructure repository beside this one)", async () => {
    const cwd = project({
      "app/.oidclintrc.json": '{ "repository": "acme/app" }',
      "app/.github/workflows/deploy.yml": workflow,
      "infra/role.json": role,
    });
    const without = io(join(cwd, "app"));
    expect(await main(["explain", ".github/workflows/deploy.yml", "--job", "deploy"], without)).toBe(0);
    expect(without.out).toContain("not defined in the linted files");
    const o = io(join(cwd, "app"));
    expect(await main(["explain", ".github/workflows/deploy.yml", "--job", "deploy", "--context", "../infra"], o)).toBe(
      0,
    );
    expect(o.out).toMatch(/accepted by: deploy \(role deploy\) — \.\.\/infra\/role\.json:2, only for `main`/);
  });
});

describe("oidclint check --format json and --context", () => {
  it("gives the verdict, every condition with its outcome, the first failing one and the fixes", async () => {
    const cwd = project({ "trust.json": trust("repo:acme/app:ref:refs/heads/main") });
    const o = io(cwd);
    const code = await main(
      ["check", "--policy", "trust.json", "--sub", "repo:acme/app:pull_request", "--format", "json"],
      o,
    );
    expect(code).toBe(1);
    expect(JSON.parse(o.out)).toEqual({
      policy: { file: "trust.json", line: 1, column: 1, source: "policy JSON", role: null },
      claims: { sub: "repo:acme/app:pull_request", aud: "sts.amazonaws.com" },
      audDefaulted: true,
      result: "refused",
      statements: [
        {
          index: 1,
          sid: null,
          effect: "Allow",
          file: "trust.json",
          line: 4,
          column: 5,
          result: "fail",
          conditions: [
            {
              operator: "StringEquals",
              key: "token.actions.githubusercontent.com:aud",
              values: ["sts.amazonaws.com"],
              file: "trust.json",
              line: 12,
              column: 11,
              result: "pass",
              claim: "aud",
              actual: "sts.amazonaws.com",
              matchedValue: "sts.amazonaws.com",
              firstFailing: false,
            },
            {
              operator: "StringLike",
              key: "token.actions.githubusercontent.com:sub",
              values: ["repo:acme/app:ref:refs/heads/main"],
              file: "trust.json",
              line: 15,
              column: 11,
              result: "fail",
              claim: "sub",
              actual: "repo:acme/app:pull_request",
              firstFailing: true,
            },
          ],
        },
      ],
      deniedBy: null,
      fixes: [
        "workflow: do not assume this role in `pull_request` runs (`if: github.event_name != 'pull_request'` on the job or the step); it trusts runs on `main`",
        "policy: or, if this run is meant to assume the role, add exactly `repo:acme/app:pull_request` to the values of `StringLike` `token.actions.githubusercontent.com:sub` (trust.json:15)",
      ],
    });
    const ok = io(cwd);
    expect(
      await main(["check", "--policy", "trust.json", "--sub", "repo:acme/app:ref:refs/heads/main", "-f", "json"], ok),
    ).toBe(0);
    expect((JSON.parse(ok.out) as { result: string; fixes: string[] }).result).toBe("accepted");
  });

  it("--context reads the module's caller, which binds a variable the policy uses", async () => {
    const cwd = project({
      "modules/role/main.tf": [
        'variable "branch" {}',
        'resource "aws_iam_role" "deploy" {',
        '  name = "deploy"',
        "  assume_role_policy = jsonencode({",
        "    Statement = [{",
        '      Effect = "Allow"',
        '      Action = "sts:AssumeRoleWithWebIdentity"',
        `      Principal = { Federated = "${PROVIDER}" }`,
        "      Condition = {",
        '        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }',
        '        StringLike = { "token.actions.githubusercontent.com:sub" = "repo:acme/app:ref:refs/heads/${var.branch}" }',
        "      }",
        "    }]",
        "  })",
        "}",
        "",
      ].join("\n"),
      "main.tf": 'module "deploy_role" {\n  source = "./modules/role"\n  branch = "main"\n}\n',
    });
    const args = [
      "check",
      "--policy",
      "modules/role/main.tf",
      "--sub",
      "repo:acme/app:ref:refs/heads/dev",
      "-f",
      "json",
    ];
    const alone = io(cwd);
    expect(await main(args, alone)).toBe(1);
    expect((JSON.parse(alone.out) as { result: string }).result).toBe("undecided");
    const o = io(cwd);
    expect(await main([...args, "--context", "."], o)).toBe(1);
    const data = JSON.parse(o.out) as { result: string; fixes: string[] };
    expect(data.result).toBe("refused");
    expect(data.fixes[0]).toBe(
      "workflow: run the job only from `main`: pin the trigger (`branches: [main]`) or give the job `if: github.ref == 'refs/heads/main'`",
    );
  });
});
