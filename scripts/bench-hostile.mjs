// Hostile-input benchmark (issue 12): each case is a small repository of hostile content (≤ 1 MiB unless the
// case is about size itself); the built CLI lints it in a child process and the CPU time (user + sys) and peak
// RSS are measured with /usr/bin/time. Bound: ≤ 1 s CPU and ≤ 256 MiB per case; a case that runs past
// --timeout seconds is killed and reported as such.
//
//   npm run bench -- --hostile                 every case
//   npm run bench -- --hostile --only tf-       cases whose name contains "tf-"
//   options: --timeout S (default 30), --markdown (print BENCHMARKS.md rows)
//
// Needs `npm run build` first. Cases are generated under .bench/hostile/ (gitignored).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";

const root = join(import.meta.dirname, "..");
const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--hostile"),
  options: {
    only: { type: "string" },
    timeout: { type: "string", default: "30" },
    markdown: { type: "boolean", default: false },
  },
});
if (!existsSync(join(root, "dist/src/cli.js"))) throw new Error("dist/ is missing: run `npm run build` first");
const base = join(root, ".bench/hostile");
const bin = join(root, "bin/oidclint.js");

const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const policy = (action, sub = "repo:acme/app:ref:refs/heads/main") =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: PROVIDER },
        Action: action,
        Condition: { StringLike: { "token.actions.githubusercontent.com:sub": sub } },
      },
    ],
  });
const workflow = (branches) => `on:
  push:
    branches: ["${branches}"]
permissions:
  id-token: write
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: eu-west-1
`;
const getRole = (sub) =>
  JSON.stringify({
    Role: { RoleName: "deploy", AssumeRolePolicyDocument: JSON.parse(policy("sts:AssumeRoleWithWebIdentity", sub)) },
  });
const b64 = (s) => Buffer.from(s).toString("base64url");

/** 1 MiB of JSON policy: 4,000 statements trusting GitHub, each with two findings. */
const policy1mib = {
  "p.json": JSON.stringify({
    Version: "2012-10-17",
    Statement: Array.from({ length: 4000 }, (_, i) => ({
      ...JSON.parse(policy("sts:AssumeRoleWithWebIdentity", `repo:acme/app${i}:*`)).Statement[0],
    })),
  }),
};

/** name → { files, args?, stdin? } */
const CASES = {
  "iam-action-40k": { files: { "p.json": policy(`s${"*".repeat(40000)}y`) } },
  "iam-action-stars": { files: { "p.json": policy(`${"*".repeat(40)}X`) } },
  "iam-action-1mib": { files: { "p.json": policy(`${"*a".repeat(500000)}`) } },
  "trust-mismatch-wildcards": {
    files: {
      ".github/workflows/d.yml": workflow("**a".repeat(200)),
      "role.json": getRole(`repo:acme/app:ref:refs/heads/${"*a".repeat(200)}*`),
    },
  },
  "trust-mismatch-wildcards-2": {
    files: {
      ".github/workflows/d.yml": workflow("**a**b".repeat(100)),
      "role.json": getRole(`repo:acme/app:ref:refs/heads/${"*a".repeat(400)}*`),
    },
  },
  "config-glob-backtracking": {
    files: {
      ".oidclintrc.json": JSON.stringify({ ignore: [`${"*a".repeat(60)}b`] }),
      [`${"a".repeat(200)}/p.json`]: policy("sts:AssumeRoleWithWebIdentity"),
    },
  },
  "config-glob-range": {
    files: {
      ".oidclintrc.json": JSON.stringify({ ignore: ["[z-a]"] }),
      "p.json": policy("sts:AssumeRoleWithWebIdentity"),
    },
  },
  "policy-1mib": { files: policy1mib },
  // Every statement has a fix (the missing `aud` condition): 4,000 fixes in one file, then a second lint.
  "policy-1mib-fix-dry-run": { files: policy1mib, args: ["--fix-dry-run", "--format", "json", "."] },
  "policy-1mib-fix": { files: policy1mib, args: ["--fix", "--format", "json", "."] },
  "json-nesting-1mib": { files: { "p.json": `{"Statement": ${"[".repeat(1024 * 1024 - 20)}` } },
  "yaml-blank-lines-1mib": { files: { "t.yaml": "\n".repeat(1024 * 1024) } },
  "yaml-alias-bomb": {
    files: {
      ".github/workflows/b.yml": [
        "on: push",
        'a: &a ["x","x","x","x","x","x","x","x","x"]',
        ...Array.from(
          { length: 11 },
          (_, i) =>
            `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
              .fill(`*${String.fromCharCode(97 + i)}`)
              .join(",")}]`,
        ),
        "jobs: { x: { runs-on: u, steps: [*l] } }",
      ].join("\n"),
    },
  },
  "bad-bytes-policy": {
    files: {
      "p.json": Buffer.concat([
        Buffer.from(policy("sts:AssumeRoleWithWebIdentity").slice(0, 40)),
        Buffer.from([0xff, 0]),
        Buffer.from(policy("x").slice(40)),
      ]),
    },
  },
  "jwt-nested-10k": {
    files: { "p.json": policy("sts:AssumeRoleWithWebIdentity") },
    args: [
      "check",
      "--policy",
      "p.json",
      "--token",
      `${b64('{"alg":"none"}')}.${b64(`{"sub":"repo:acme/app:ref:refs/heads/main","x":${"[".repeat(10000)}${"]".repeat(10000)}}`)}.s`,
    ],
  },
  "stdin-50mib": {
    files: { "README.md": "x" },
    args: ["--stdin", "--stdin-filename", "p.json"],
    stdinBytes: 50 * 1024 * 1024,
  },
  "empty-json-100k": {
    files: Object.fromEntries(Array.from({ length: 100000 }, (_, i) => [`d${i % 100}/f${i}.json`, ""])),
  },
  "tf-json-long-name": {
    files: {
      "main.tf.json": JSON.stringify({
        data: {
          aws_iam_policy_document: {
            ["x".repeat(200000)]: { statement: [{ actions: ["sts:AssumeRoleWithWebIdentity"] }] },
          },
        },
      }),
    },
  },
  "tf-plus-chain-10k": { files: { "main.tf": `locals {\n  n = ${Array(10000).fill("1").join(" + ")}\n}\n` } },
  "tf-self-ref-locals": {
    files: {
      "main.tf":
        'locals {\n  s = "${local.s}${local.s}"\n}\nresource "aws_iam_role" "r" {\n  assume_role_policy = local.s\n}\n',
    },
  },
  "tf-regex-backtracking": {
    files: {
      "main.tf": `locals {\n  x = replace("${"a".repeat(40)}b", "/(a+)+$/", "")\n}\nresource "aws_iam_role" "r" {\n  assume_role_policy = local.x\n}\n`,
    },
  },
  "tf-templatefile-self": {
    files: {
      "main.tf": 'resource "aws_iam_role" "r" {\n  assume_role_policy = templatefile("${path.module}/t.tpl", {})\n}\n',
      "t.tpl": '${templatefile("t.tpl", {})}${templatefile("t.tpl", {})}',
    },
  },
  "tf-nested-for-8x10": {
    files: {
      "main.tf":
        'resource "aws_iam_role" "r" {\n  assume_role_policy = templatefile("t.tpl", { xs = [1,2,3,4,5,6,7,8,9,10] })\n}\n',
      "t.tpl": `${Array.from({ length: 8 }, (_, i) => `%{ for v${i} in xs }`).join("")}x${"%{ endfor }".repeat(8)}`,
    },
  },
  "tf-module-fanout-64x3": {
    files: {
      "main.tf": 'module "a" {\n  source = "./m1"\n  count  = 64\n}\n',
      "m1/main.tf": 'module "b" {\n  source = "../m2"\n  count  = 64\n}\n',
      "m2/main.tf": 'module "c" {\n  source = "../m3"\n  count  = 64\n}\n',
      "m3/main.tf":
        'data "aws_iam_policy_document" "t" {\n  statement {\n    actions = ["sts:AssumeRoleWithWebIdentity"]\n  }\n}\nresource "aws_iam_role" "r" {\n  assume_role_policy = data.aws_iam_policy_document.t.json\n}\n',
    },
  },
  "tf-deep-bang-2k": { files: { "main.tf": `locals {\n  x = ${"!".repeat(2000)}true\n}\n` } },
};

function writeCase(name, files) {
  const dir = join(base, name);
  rmSync(dir, { recursive: true, force: true });
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), body);
  }
  // Its own work tree: this repository's .gitignore (which hides .bench/) must not hide the case.
  spawnSync("git", ["init", "-q", dir]);
  return dir;
}

const hasTime = spawnSync("/usr/bin/time", ["-f", "%e", "true"]).status === 0;
const rows = [];
for (const [name, c] of Object.entries(CASES)) {
  if (values.only && !name.includes(values.only)) continue;
  const dir = writeCase(name, c.files);
  const bytes = Object.values(c.files).reduce((n, b) => n + Buffer.byteLength(b), 0) + (c.stdinBytes ?? 0);
  const args = c.args ?? ["--format", "json", "."];
  const input = c.stdinBytes ? Buffer.alloc(c.stdinBytes, 0x20) : "";
  const cmd = hasTime
    ? ["/usr/bin/time", ["-f", "TIME %U %S %M", process.execPath, bin, ...args]]
    : [process.execPath, [bin, ...args]];
  const r = spawnSync(cmd[0], cmd[1], {
    cwd: dir,
    input,
    maxBuffer: 1 << 30,
    timeout: Number(values.timeout) * 1000,
    killSignal: "SIGKILL",
  });
  const m = /TIME ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr?.toString() ?? "");
  const cpu = m ? Number(m[1]) + Number(m[2]) : NaN;
  const mib = m ? Number(m[3]) / 1024 : NaN;
  const killed = r.signal === "SIGKILL" || r.error?.code === "ETIMEDOUT";
  const ok = !killed && cpu <= 1 && mib <= 256;
  rows.push({ name, bytes, cpu, mib, code: killed ? "killed" : String(r.status), ok });
  console.log(
    `${name.padEnd(30)} ${String(bytes).padStart(10)} B  ${killed ? `> ${values.timeout} s (killed)` : `${cpu.toFixed(2)} s CPU`}  ${Number.isNaN(mib) ? "?" : mib.toFixed(0)} MiB  exit ${killed ? "-" : r.status}  ${ok ? "ok" : "OVER"}`,
  );
  rmSync(dir, { recursive: true, force: true });
}
if (values.markdown) {
  console.log(
    "\n| case | input | CPU (user+sys) | peak RSS | exit | within 1 s / 256 MiB |\n|---|---|---|---|---|---|",
  );
  for (const r of rows)
    console.log(
      `| ${r.name} | ${(r.bytes / 1024).toFixed(0)} KiB | ${r.code === "killed" ? `killed after ${values.timeout} s` : `${r.cpu.toFixed(2)} s`} | ${Number.isNaN(r.mib) ? "?" : `${r.mib.toFixed(0)} MiB`} | ${r.code} | ${r.ok ? "yes" : "**no**"} |`,
    );
}
