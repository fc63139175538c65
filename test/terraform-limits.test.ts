/**
 * Hostile Terraform: every case here once crashed, hung or blew up memory (issue 12). Each must finish
 * quickly with the value unknown and a located finding that names the limit; the other files and
 * modules of the run keep their findings.
 */
import { describe, expect, it } from "vitest";
import { defaultSettings } from "../src/config/settings.js";
import type { ParsedFile } from "../src/model/project.js";
import { displayText } from "../src/model/value.js";
import { parseTerraform } from "../src/parsers/terraform/index.js";

async function parse(files: Record<string, string>): Promise<ParsedFile[]> {
  return parseTerraform(
    Object.entries(files).map(([path, text]) => ({ path, abs: `/repo/${path}`, text })),
    { root: "/repo", settings: defaultSettings(), readFile: (p) => files[p] },
  );
}

const PROVIDER_ARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

/** A role whose `sub` condition is `value` (an HCL expression). */
function role(value: string, name = "r"): string {
  return `resource "aws_iam_role" "${name}" {
  name = "${name}"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "${PROVIDER_ARN}" }
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = ${value} } }
    }]
  })
}
`;
}

function problems(out: ParsedFile[]): string[] {
  return out.flatMap((f) => f.problems.map((p) => `${p.loc.file}:${String(p.loc.line)} ${p.message}`));
}

/** The `sub` values of every policy, unknown parts as `${expr}`, a wholly unknown list as `...expr`. */
function subValues(out: ParsedFile[]): string[] {
  const conditions = out.flatMap((f) => f.policies.flatMap((p) => p.statements.flatMap((s) => s.conditions)));
  return conditions
    .filter((c) => displayText(c.key).endsWith(":sub"))
    .flatMap((c) => [...c.values.items.map(displayText), ...(c.values.unknown ? [`...${c.values.unknown.expr}`] : [])]);
}

/** Runs a case, failing if it takes longer than `ms` (a hang used to mean minutes). */
async function timed<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const out = await fn();
  expect(performance.now() - start, "took too long").toBeLessThan(ms);
  return out;
}

describe("terraform limits (issue 12)", () => {
  it("1 + 1 + … with 10,000 terms: unknown with a depth finding, no stack overflow", async () => {
    const sum = Array.from({ length: 10_000 }, () => "1").join(" + ");
    const out = await timed(5000, () =>
      parse({
        "main.tf": `locals {\n  n = ${sum}\n}\n${role('"repo:o/r:ref:refs/heads/main"')}`,
        "other.tf": role('"repo:o/r:*"', "other"),
      }),
    );
    expect(problems(out).join("\n")).not.toMatch(/internal error/);
    expect(subValues(out)).toEqual(["repo:o/r:ref:refs/heads/main", "repo:o/r:*"]);
  });

  it("a local that refers to itself terminates with a located finding", async () => {
    const out = await timed(5000, () =>
      parse({ "main.tf": `locals {\n  s = "\${local.s}\${local.s}"\n}\n${role("local.s")}` }),
    );
    expect(problems(out)).toEqual([
      'main.tf:2 local "s" refers to itself (Terraform reports a cycle); oidclint treats it as unknown.',
    ]);
    expect(subValues(out)).toEqual(["...local.s"]);
  });

  it("locals on a longer cycle are all unknown; a local next to them is not", async () => {
    const out = await parse({
      "main.tf": `locals {\n  a = "x\${local.b}"\n  b = local.c\n  c = local.a\n  d = "repo:o/r:*"\n}\n${role("[local.a, local.d]")}`,
    });
    expect(subValues(out)).toEqual(["${local.a}", "repo:o/r:*"]);
    expect(problems(out)).toHaveLength(1);
  });

  it("a string doubled 40 times stops at the string length limit", async () => {
    const locals = Array.from(
      { length: 40 },
      (_, i) => `  s${String(i + 1)} = "\${local.s${String(i)}}\${local.s${String(i)}}"`,
    ).join("\n");
    const out = await timed(5000, () =>
      parse({ "main.tf": `locals {\n  s0 = "ab"\n${locals}\n}\n${role("local.s40")}` }),
    );
    expect(problems(out).join("\n")).toMatch(/limit reached \(a string made of more than 2,000 interpolated values\)/);
    expect(subValues(out)).toEqual(["...a value past the pieces limit"]);
  });

  it("a template that templatefile()s itself is refused as Terraform does", async () => {
    const out = await timed(5000, () =>
      parse({
        "main.tf": role('templatefile("${path.module}/t.tpl", {})'),
        "t.tpl": '${templatefile("t.tpl", {})}${templatefile("t.tpl", {})}',
      }),
    );
    expect(subValues(out)).toEqual(['...templatefile("t.tpl", {})']);
  });

  it("eight nested %{for} of 10 items stop at a limit", async () => {
    const tpl = `${Array.from({ length: 8 }, (_, i) => `%{for a${String(i)} in xs}`).join("")}x${"%{endfor}".repeat(8)}`;
    const out = await timed(10_000, () =>
      parse({ "main.tf": role('templatefile("t.tpl", { xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] })'), "t.tpl": tpl }),
    );
    // Where the limit was reached: in the template, which names the call.
    expect(problems(out).join("\n")).toMatch(/^t.tpl:1 Terraform evaluation limit reached/);
  });

  it("[for] nested eight deep over 10 items stops at the step budget", async () => {
    const inner = Array.from({ length: 8 }, (_, i) => `[for a${String(i)} in local.xs :`).join(" ");
    const out = await timed(15_000, () =>
      parse({
        "main.tf": `locals {\n  xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n  big = ${inner} "x"${"]".repeat(8)}\n}\n${role('length(local.big) > 0 ? "repo:o/r:*" : "x"')}`,
      }),
    );
    expect(problems(out).join("\n")).toMatch(/more than 25,000 expression evaluations/);
  });

  it("local modules with count = 64 three levels deep stop at the module instance limit", async () => {
    const out = await timed(15_000, () =>
      parse({
        "main.tf": 'module "a" {\n  count  = 64\n  source = "./a"\n}\n',
        "a/main.tf": 'module "b" {\n  count  = 64\n  source = "./b"\n}\n',
        "a/b/main.tf": 'module "c" {\n  count  = 64\n  source = "./c"\n}\n',
        "a/b/c/main.tf": role('"repo:o/r:*"'),
      }),
    );
    expect(problems(out)).toContain(
      "a/main.tf:1 Terraform evaluation limit reached (more than 256 module instances from one root module); oidclint treats this value as unknown.",
    );
    expect(subValues(out).length).toBeGreaterThan(0);
    expect(subValues(out).length).toBeLessThanOrEqual(256);
  });

  it("HCL nested past the parser's limit is a finding, without the hcl2json fallback", async () => {
    const out = await timed(5000, () =>
      parse({
        "main.tf": `resource "aws_iam_role" "r" {\n  assume_role_policy = ${"!".repeat(2000)}true\n}\n`,
        "ok.tf": role('"repo:o/r:*"', "ok"),
      }),
    );
    expect(problems(out)).toEqual([
      "main.tf:2 Terraform nested too deeply for oidclint (more than 200 levels); oidclint cannot check the policies of this file.",
    ]);
    expect(subValues(out)).toEqual(["repo:o/r:*"]);
  });

  it("a .tf.json data source with a very long name is read", async () => {
    const name = "a".repeat(200_000);
    const doc = {
      data: {
        aws_iam_policy_document: {
          [name]: {
            statement: [
              {
                actions: ["sts:AssumeRoleWithWebIdentity"],
                principals: [{ type: "Federated", identifiers: [PROVIDER_ARN] }],
              },
            ],
          },
        },
      },
    };
    const out = await timed(5000, () => parse({ "main.tf.json": JSON.stringify(doc) }));
    expect(problems(out)).toEqual([]);
    expect(out.flatMap((f) => f.policies)).toHaveLength(1);
  });

  it("replace() with a catastrophic regex runs in linear time (RE2)", async () => {
    const out = await timed(5000, () =>
      parse({
        "main.tf": `locals {\n  s = replace("repo:o/r:${"a".repeat(5000)}!", "/(a+)+$/", "x")\n}\n${role("local.s")}`,
      }),
    );
    expect(subValues(out)).toEqual([`repo:o/r:${"a".repeat(5000)}!`]);
  });
});

describe("terraform reads referenced files through the shared safe reader (issue 12)", () => {
  it("file() of a symlink out of the repository and templatefile() of a FIFO are not read", async () => {
    const { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } = await import("node:fs");
    const { spawnSync } = await import("node:child_process");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { findingLines, run } = await import("./helpers.js");
    const base = mkdtempSync(join(tmpdir(), "oidclint-tf-read-"));
    const outside = join(base, "outside");
    const cwd = join(base, "repo");
    mkdirSync(outside);
    mkdirSync(join(cwd, ".git"), { recursive: true });
    writeFileSync(join(cwd, ".git/HEAD"), "ref: refs/heads/main\n");
    // Read, this policy would be an error (`repo:*`): it must never be.
    const trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: PROVIDER_ARN },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "repo:*" } },
        },
      ],
    });
    writeFileSync(join(outside, "trust.json"), trust);
    symlinkSync(join(outside, "trust.json"), join(cwd, "linked.json"));
    if (spawnSync("mkfifo", [join(cwd, "pipe.tpl")]).status !== 0) throw new Error("mkfifo failed");
    writeFileSync(
      join(cwd, "main.tf"),
      [
        'resource "aws_iam_role" "linked" {\n  assume_role_policy = file("${path.module}/linked.json")\n}\n',
        'resource "aws_iam_role" "piped" {\n  assume_role_policy = templatefile("${path.module}/pipe.tpl", {})\n}\n',
        `resource "aws_iam_role" "inline" {\n  assume_role_policy = jsonencode(${JSON.stringify(JSON.parse(trust))})\n}\n`.replace(
          /"([A-Za-z]+)":/g,
          '"$1" =',
        ),
      ].join(""),
    );
    const report = await timed(10_000, () => run({ cwd, paths: ["main.tf"] }));
    // Only the policy written in main.tf is judged.
    expect(findingLines(report, cwd, { withFile: true, ruleId: "broad-sub-wildcard" })).toEqual([
      "main.tf:8:312 error broad-sub-wildcard/anyOwner",
    ]);
  });
});
