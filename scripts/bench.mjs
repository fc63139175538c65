// Benchmark (SPEC §8): generates a synthetic repository of N files under .bench/ (gitignored) and times the
// built CLI on it in a child process — wall time (median of --runs), files/second and peak RSS (from
// /usr/bin/time, else the child's own process.resourceUsage()).
//
//   npm run bench -- --files 2000                 mixed repository (workflows, .tf, CloudFormation, JSON, noise)
//   npm run bench -- --files 2000 --mix workflows only workflows, compared with parsing them with `yaml` alone
//   npm run bench -- --files 2000 --mix terraform only .tf files, one in ten a role
//   npm run bench -- --files 2000 --mix programs  TypeScript files, one in a hundred a CDK stack (--files 1: one stack)
//   npm run bench -- --single                     one small workflow, as a pre-commit hook lints it
//   npm run bench -- --map                        `oidclint map` at 200 workflows / 50 roles, json and html
//   npm run bench -- --files 2000 --precommit     one staged file with `--context .` over the whole repository
//   npm run bench -- --real DIR                   every .github/workflows/*.y(a)ml under DIR (real workflows you
//                                                 fetched): oidclint's CPU against `yaml` parseDocument of the same
//                                                 files, paired and interleaved run by run (ratios per pair)
//   npm run bench -- --real DIR --layers          also the CPU of each YAML layer on those files, in one process:
//                                                 yaml's lexer, its CST parser, parseDocument, js-yaml (with and
//                                                 without a position listener) and oidclint's workflow parser
//   npm run bench -- --terraform DIR              every .tf/.tfvars under DIR (real modules you fetched): oidclint's
//                                                 lint against listing and reading the same files, in one process
//                                                 (start-up excluded), rounds interleaved (ratios per round); then
//                                                 as processes: `node bin/oidclint.js --format json .` against a
//                                                 node script that lists and reads them, CPU of each, pairs interleaved
//   npm run bench -- --files 10000 --heap         also the heap the loaded model keeps (after a full GC, in a child
//                                                 that loads the project as `lint` does, and with every workflow
//                                                 model kept, as `map` does): the model's own size, where
//                                                 peak RSS adds start-up and the garbage collector's slack
//   options: --runs R (default 5), --markdown (print a BENCHMARKS.md row), --profile (node --cpu-prof into .bench/profiles)
//
// The repository is regenerated only when missing (delete .bench/ to force). Needs `npm run build` first.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { parseArgs } from "node:util";

const root = join(import.meta.dirname, "..");
// `npm run bench -- --hostile`: the hostile-input cases (scripts/bench-hostile.mjs) instead.
if (process.argv.includes("--hostile")) {
  await import("./bench-hostile.mjs");
  process.exit(process.exitCode ?? 0);
}
// `npm run bench -- --map`: `oidclint map` at 200 workflows / 50 roles (scripts/bench-map.mjs) instead.
if (process.argv.includes("--map")) {
  await import("./bench-map.mjs");
  process.exit(process.exitCode ?? 0);
}
const { values } = parseArgs({
  options: {
    files: { type: "string", default: "200" },
    runs: { type: "string", default: "5" },
    mix: { type: "string", default: "mixed" },
    single: { type: "boolean", default: false },
    precommit: { type: "boolean", default: false },
    markdown: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    real: { type: "string" },
    terraform: { type: "string" },
    layers: { type: "boolean", default: false },
    heap: { type: "boolean", default: false },
  },
});
const N = values.single ? 1 : Number(values.files);
const runs = Number(values.runs);
if (!Number.isInteger(N) || N < 1) throw new Error(`--files expects a positive whole number, got ${values.files}`);
if (!existsSync(join(root, "dist/cli/cli.js"))) throw new Error("dist/ is missing: run `npm run build` first");

// Runs a snapshot of dist/, so that a rebuild during the measurement (tests rebuild it) cannot mix versions.
const snapshot = join(root, ".bench/build");
rmSync(snapshot, { recursive: true, force: true });
cpSync(join(root, "dist"), join(snapshot, "dist"), { recursive: true });
writeFileSync(
  join(snapshot, "oidclint.mjs"),
  // The CLI bundle, as bin/oidclint.js runs it.
  'import { main } from "./dist/cli/cli.js";\nprocess.exitCode = await main(process.argv.slice(2));\n',
);
const bin = join(snapshot, "oidclint.mjs");

// ---------- deterministic synthetic content ----------

let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const ACCOUNT = "123456789012";
const OWNER = "acme";
const REPOS = ["app", "api", "web", "infra", "billing", "search", "auth", "data"];

function roleName(i) {
  return `svc-${i}-deploy`;
}

function workflow(i, roles) {
  const role = roles > 0 ? roleName(Math.floor(rand() * roles)) : `unknown-${i}`;
  const env = i % 4 === 0 ? "\n    environment: production" : "";
  // One in ten deploy jobs forgets id-token: write, one in twenty grants it at workflow level.
  const wfPerms =
    i % 20 === 0 ? "permissions:\n  id-token: write\n  contents: read\n" : "permissions:\n  contents: read\n";
  const jobPerms =
    i % 10 === 3 || i % 20 === 0 ? "" : "\n    permissions:\n      id-token: write\n      contents: read";
  return `name: pipeline ${i}
on:
  push:
    branches: [main, "release/**"]
    paths-ignore: ["docs/**"]
  pull_request:
    branches: [main]
  workflow_dispatch:
${wfPerms}concurrency:
  group: pipeline-${i}-\${{ github.ref }}
  cancel-in-progress: true
env:
  NODE_VERSION: "20"
  AWS_REGION: eu-west-1
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: \${{ env.NODE_VERSION }}
          cache: npm
      - run: npm ci
      - run: npm run build --if-present
      - uses: actions/upload-artifact@v4
        with:
          name: dist-${i}
          path: dist/
  test:
    runs-on: ubuntu-latest
    needs: build
    strategy:
      matrix:
        node: [18, 20, 22]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: \${{ matrix.node }}
      - run: npm ci
      - run: npm test -- --reporter=dot
  deploy:
    runs-on: ubuntu-latest
    needs: [build, test]
    if: github.ref == 'refs/heads/main'${env}${jobPerms}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/download-artifact@v4
        with:
          name: dist-${i}
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::${ACCOUNT}:role/${role}
          aws-region: \${{ env.AWS_REGION }}
      - run: aws s3 sync dist/ s3://bucket-${i}/ --delete
      - run: aws cloudfront create-invalidation --distribution-id E${i} --paths "/*"
`;
}

function terraform(i) {
  const repo = pick(REPOS);
  const sub = i % 15 === 7 ? `repo:${OWNER}/*` : `repo:${OWNER}/${repo}:ref:refs/heads/main`;
  if (i % 2 === 0) {
    return `variable "account_id_${i}" {
  type    = string
  default = "${ACCOUNT}"
}

locals {
  github_repo_${i} = "${OWNER}/${repo}"
}

resource "aws_iam_role" "svc_${i}" {
  name = "${roleName(i)}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::\${var.account_id_${i}}:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike   = { "token.actions.githubusercontent.com:sub" = "${sub}" }
      }
    }]
  })
  tags = { team = "team-${i % 7}", service = "svc-${i}" }
}

resource "aws_iam_role_policy_attachment" "svc_${i}_read" {
  role       = aws_iam_role.svc_${i}.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
`;
  }
  return `data "aws_iam_policy_document" "trust_${i}" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["${sub}", "repo:${OWNER}/${repo}:environment:production"]
    }
  }
}

resource "aws_iam_role" "svc_${i}" {
  name               = "${roleName(i)}"
  assume_role_policy = data.aws_iam_policy_document.trust_${i}.json
  max_session_duration = 3600
}
`;
}

function cloudformation(i) {
  const repo = pick(REPOS);
  return `AWSTemplateFormatVersion: "2010-09-09"
Description: Deploy role ${i}
Parameters:
  Repo:
    Type: String
    Default: ${OWNER}/${repo}
  Branch:
    Type: String
    Default: main
Resources:
  DeployRole${i}:
    Type: AWS::IAM::Role
    Properties:
      RoleName: cfn-${i}-deploy
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: sts:AssumeRoleWithWebIdentity
            Principal:
              Federated: !Sub arn:aws:iam::\${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com
            Condition:
              StringEquals:
                token.actions.githubusercontent.com:aud: sts.amazonaws.com
              StringLike:
                token.actions.githubusercontent.com:sub: !Sub repo:\${Repo}:ref:refs/heads/\${Branch}
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/ReadOnlyAccess
  Bucket${i}:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub bucket-${i}-\${AWS::Region}
Outputs:
  RoleArn:
    Value: !GetAtt DeployRole${i}.Arn
`;
}

function jsonPolicy(i) {
  const repo = pick(REPOS);
  return `${JSON.stringify(
    {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: `GitHub${i}`,
          Effect: "Allow",
          Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
            StringLike: {
              "token.actions.githubusercontent.com:sub": `repo:${OWNER}/${repo}:environment:prod-${i % 3}`,
            },
          },
        },
      ],
    },
    null,
    2,
  )}\n`;
}

function noiseJson(i) {
  return `${JSON.stringify({ name: `service-${i}`, version: `1.${i}.0`, settings: { retries: i % 5, regions: ["eu-west-1", "us-east-1"], flags: { a: true, b: false } } }, null, 2)}\n`;
}

function noiseYaml(i) {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: service-${i}
  labels:
    app: service-${i}
spec:
  replicas: ${1 + (i % 3)}
  selector:
    matchLabels:
      app: service-${i}
  template:
    metadata:
      labels:
        app: service-${i}
    spec:
      containers:
        - name: app
          image: registry.example.com/service-${i}:1.0.${i}
          ports:
            - containerPort: 8080
`;
}

/** A `.tf` file with nothing oidclint reads (two S3 resources). */
function noiseTerraform(i) {
  return `resource "aws_s3_bucket" "b${i}" {
  bucket = "acme-bucket-${i}"
  tags = {
    Team = "platform"
  }
}

resource "aws_s3_bucket_versioning" "v${i}" {
  bucket = aws_s3_bucket.b${i}.id
  versioning_configuration {
    status = "Enabled"
  }
}
`;
}

/** A CDK stack defining a GitHub OIDC role, as `cdk init` lays one out. */
function cdkStack(i) {
  return `import * as cdk from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";

const ISSUER = "token.actions.githubusercontent.com";
const branches = ["main", "release/*"];

export interface DeployStack${i}Props extends cdk.StackProps {
  readonly repository: string;
}

export class DeployStack${i} extends cdk.Stack {
  constructor(scope: Construct, id: string, props: DeployStack${i}Props) {
    super(scope, id, props);
    const provider = iam.OpenIdConnectProvider.fromOpenIdConnectProviderArn(this, "Github", \`arn:aws:iam::\${this.account}:oidc-provider/\${ISSUER}\`);
    new iam.Role(this, "Deploy", {
      roleName: "deploy-${i}",
      assumedBy: new iam.OpenIdConnectPrincipal(provider, {
        StringEquals: { [\`\${ISSUER}:aud\`]: "sts.amazonaws.com" },
        StringLike: { [\`\${ISSUER}:sub\`]: branches.map((b) => \`repo:${OWNER}/app-${i}:ref:refs/heads/\${b}\`) },
      }),
      maxSessionDuration: cdk.Duration.hours(1),
    });
  }
}
`;
}

/** Application TypeScript that has nothing to do with IAM (the pre-check must keep it nearly free). */
function noiseTypeScript(i) {
  return `import { readFile } from "node:fs/promises";
import type { Request, Response } from "./http";

export interface Order${i} {
  id: string;
  items: { sku: string; quantity: number; price: number }[];
  createdAt: Date;
}

export async function loadOrders${i}(path: string): Promise<Order${i}[]> {
  const raw = JSON.parse(await readFile(path, "utf8")) as Order${i}[];
  return raw.filter((o) => o.items.length > 0).map((o) => ({ ...o, createdAt: new Date(o.createdAt) }));
}

export function total${i}(order: Order${i}): number {
  return order.items.reduce((sum, item) => sum + item.quantity * item.price, 0);
}

export async function handler${i}(req: Request, res: Response): Promise<void> {
  const orders = await loadOrders${i}(req.query.file ?? "orders.json");
  res.json({ count: orders.length, total: orders.reduce((s, o) => s + total${i}(o), 0) });
}
`;
}

/** File counts per kind. Mixed: about half workflows, a tenth each Terraform, CloudFormation and JSON policies, the rest unrelated JSON/YAML. */
function plan(n, mix) {
  if (mix === "workflows") return { workflows: n, tf: 0, cfn: 0, json: 0, noiseJson: 0, noiseYaml: 0 };
  // Terraform only: every tenth file is a role (the Terraform reader's pre-check skips the others).
  if (mix === "terraform")
    return {
      workflows: 0,
      tf: Math.ceil(n / 10),
      noiseTf: n - Math.ceil(n / 10),
      cfn: 0,
      json: 0,
      noiseJson: 0,
      noiseYaml: 0,
    };
  // Programs: one TypeScript file in a hundred is a CDK stack.
  if (mix === "programs")
    return {
      workflows: 0,
      tf: 0,
      cfn: 0,
      json: 0,
      noiseJson: 0,
      noiseYaml: 0,
      cdk: Math.ceil(n / 100),
      noiseTs: n - Math.ceil(n / 100),
    };
  if (mix !== "mixed") throw new Error(`--mix is mixed, workflows, terraform or programs, got ${mix}`);
  const tf = Math.round(n * 0.1);
  const cfn = Math.round(n * 0.1);
  const json = Math.round(n * 0.1);
  const noiseJ = Math.round(n * 0.125);
  const noiseY = Math.round(n * 0.125);
  return { workflows: n - tf - cfn - json - noiseJ - noiseY, tf, cfn, json, noiseJson: noiseJ, noiseYaml: noiseY };
}

function generate(dir, n, mix) {
  const counts = plan(n, mix);
  rmSync(dir, { recursive: true, force: true });
  const write = (rel, text) => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };
  write(".oidclintrc.json", `${JSON.stringify({ repository: `${OWNER}/app` }, null, 2)}\n`);
  // Its own git repository: otherwise this repository's .gitignore (which lists .bench/) hides every file.
  spawnSync("git", ["init", "-q"], { cwd: dir });
  // Terraform modules of 10 files each, as real repositories group them.
  for (let i = 0; i < counts.tf; i++) write(`infra/module-${Math.floor(i / 10)}/role-${i}.tf`, terraform(i));
  for (let i = 0; i < (counts.noiseTf ?? 0); i++)
    write(`infra/module-${Math.floor(i / 90)}/storage-${i}.tf`, noiseTerraform(i));
  for (let i = 0; i < counts.workflows; i++) write(`.github/workflows/pipeline-${i}.yml`, workflow(i, counts.tf));
  for (let i = 0; i < counts.cfn; i++) write(`cloudformation/stack-${i}.yaml`, cloudformation(i));
  for (let i = 0; i < counts.json; i++) write(`policies/trust-${i}.json`, jsonPolicy(i));
  for (let i = 0; i < counts.noiseJson; i++) write(`config/service-${i}.json`, noiseJson(i));
  for (let i = 0; i < counts.noiseYaml; i++) write(`k8s/service-${i}.yaml`, noiseYaml(i));
  for (let i = 0; i < (counts.cdk ?? 0); i++) write(`infra/lib/deploy-stack-${i}.ts`, cdkStack(i));
  for (let i = 0; i < (counts.noiseTs ?? 0); i++) write(`src/orders/module-${i}.ts`, noiseTypeScript(i));
  return counts;
}

// ---------- measurement ----------

const hasTime = existsSync("/usr/bin/time");
const profileDir = join(root, ".bench/profiles");

/** Runs `node args…` in `cwd`; returns wall ms, peak RSS MiB, exit code and stdout. */
function measure(args, cwd, env = {}) {
  const nodeArgs = values.profile ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, ...args] : args;
  const start = process.hrtime.bigint();
  const r = hasTime
    ? spawnSync("/usr/bin/time", ["-f", "__RSS_KB=%M __CPU_S=%U+%S", process.execPath, ...nodeArgs], {
        cwd,
        encoding: "utf8",
        maxBuffer: 1 << 30,
        env: { ...process.env, ...env },
      })
    : spawnSync(
        process.execPath,
        [
          "--import",
          "data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('__RSS_KB='+u.maxRSS+' __CPU_S='+u.userCPUTime/1e6+'+'+u.systemCPUTime/1e6+'\\n')})",
          ...nodeArgs,
        ],
        { cwd, encoding: "utf8", maxBuffer: 1 << 30, env: { ...process.env, ...env } },
      );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const kb = Number(/__RSS_KB=(\d+)/.exec(r.stderr ?? "")?.[1] ?? NaN);
  // CPU seconds (user + system) of the child: comparable across sizes on a shared machine, unlike wall time.
  const cpu = /__CPU_S=([\d.]+)\+([\d.]+)/.exec(r.stderr ?? "");
  const cpuS = cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN;
  if (r.status !== 0 && r.status !== 1) throw new Error(`exit ${r.status}: ${r.stderr}`);
  return { ms, mib: kb / 1024, cpuS, status: r.status, stdout: r.stdout };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function series(label, args, cwd, files, check = () => {}) {
  check(measure(args, cwd).stdout); // warm the file cache
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const s = measure(args, cwd);
    check(s.stdout); // every run must have done the whole job
    samples.push(s);
  }
  const ms = median(samples.map((s) => s.ms));
  const mib = Math.max(...samples.map((s) => s.mib));
  const cpuS = median(samples.map((s) => s.cpuS));
  const out = {
    label,
    files,
    ms,
    min: Math.min(...samples.map((s) => s.ms)),
    max: Math.max(...samples.map((s) => s.ms)),
    mib,
    cpuS,
    stdout: samples[0]?.stdout ?? "",
  };
  const rate = files / (ms / 1000);
  console.log(
    `${label.padEnd(34)} ${String(files).padStart(6)} files  ${ms.toFixed(0).padStart(6)} ms median (${out.min.toFixed(0)}–${out.max.toFixed(0)})  ${rate.toFixed(0).padStart(6)} files/s  peak ${mib.toFixed(0)} MiB  CPU ${cpuS.toFixed(2)} s (${((cpuS * 1000) / files).toFixed(2)} ms/file)`,
  );
  return out;
}

/**
 * The heap the loaded project keeps: a child loads it as `lint` does (texts released as parsed, the workflow
 * pre-filter on, workflow files handed over as they are parsed and then dropped unless another may call them),
 * forces a full GC and reports `heapUsed` against the same child before loading; then the same with every
 * workflow model kept (as `map` and `explain` load a project).
 */
function heapKept(dir, files) {
  const loader = join(snapshot, "dist/src/engine/load-project.js");
  const script = `import { loadProject } from ${JSON.stringify(loader)};
    const used = () => { globalThis.gc(); return process.memoryUsage().heapUsed / 2 ** 20; };
    const out = {};
    for (const stream of [true, false]) {
      const before = used();
      const loaded = await loadProject({
        workflowPrefilter: true,
        releaseTexts: true,
        ...(stream ? { workflowFiles: async () => async () => {} } : {}),
      });
      out[stream ? "streamed" : "whole"] = { kept: used() - before, files: loaded.project.files.length };
    }
    console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], {
    cwd: dir,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`heap child: exit ${r.status}: ${r.stderr}`);
  const { streamed, whole } = JSON.parse(r.stdout);
  const perFile = (mib) => ((mib * 1024) / files).toFixed(1);
  console.log(
    `  heap kept after loading as lint does: ${streamed.kept.toFixed(1)} MiB (${perFile(streamed.kept)} KiB per file; ${streamed.files} files parsed); with every workflow model kept: ${whole.kept.toFixed(1)} MiB (${perFile(whole.kept)} KiB per file)`,
  );
}

// ---------- real workflows (--real DIR) ----------

/** Every `.github/workflows/*.yml|yaml` under dir (any depth, outside node_modules), relative to dir, sorted. */
function realWorkflows(dir) {
  const files = readdirSync(dir, { recursive: true })
    .map((f) => String(f).split(sep).join("/"))
    .filter((f) => /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(f) && !/(^|\/)node_modules\//.test(f))
    .sort();
  if (files.length === 0) throw new Error(`--real: no .github/workflows/*.yml under ${dir}`);
  return files;
}

/**
 * oidclint on the given workflows against `yaml`'s parseDocument of the same files (read the same way, one by
 * one), each run of one paired with a run of the other, interleaved, so that both see the same load. Reports
 * CPU (user + sys) medians and the median of the per-pair ratios.
 *
 * Both sides start alike: a CommonJS entry (no ESM loader on either side), no compiled code kept from an
 * earlier run (oidclint runs as bin/oidclint.js does, with its shebang flags, but with its code cache off:
 * Node 20 keeps none for the `yaml` script), one warm-up run each (the file cache), and the two take turns
 * going first.
 */
function realBench(dir) {
  const files = realWorkflows(dir);
  const list = join(root, ".bench/real-files.json");
  mkdirSync(dirname(list), { recursive: true });
  writeFileSync(list, JSON.stringify(files));
  const yamlOnly = `const { readFileSync } = require("node:fs"); const { parseDocument } = require(${JSON.stringify(join(root, "node_modules/yaml/dist/index.js"))});
    let n = 0; for (const f of JSON.parse(readFileSync(${JSON.stringify(list)}, "utf8"))) { parseDocument(readFileSync(f, "utf8")); n++; } if (n === 0) process.exit(3);`;
  // bin/oidclint.js's loader, pointed at the snapshot's dist/ (it loads ../dist/cli from its own directory).
  cpSync(join(root, "bin"), join(snapshot, "bin"), { recursive: true });
  const lint = [...binFlags, join(snapshot, "bin/oidclint.js"), "--format", "json", "--no-color", ...files];
  const base = ["-e", yamlOnly];
  const check = (stdout) => {
    const n = JSON.parse(stdout).length;
    if (n !== files.length) throw new Error(`oidclint reported on ${n} files, expected ${files.length}`);
  };
  const noCache = { NODE_DISABLE_COMPILE_CACHE: "1" };
  check(measure(lint, dir, noCache).stdout); // warm-up, and the file cache
  measure(base, dir, noCache);
  const pairs = [];
  for (let i = 0; i < runs; i++) {
    const yamlFirst = i % 2 === 1;
    const early = yamlFirst ? measure(base, dir, noCache) : undefined;
    const a = measure(lint, dir, noCache);
    check(a.stdout);
    const b = early ?? measure(base, dir, noCache);
    pairs.push({ a, b, ratio: a.cpuS / b.cpuS });
    console.log(
      `  pair ${i + 1} (${yamlFirst ? "yaml" : "oidclint"} first): oidclint ${a.cpuS.toFixed(2)} s CPU (${(a.ms / 1000).toFixed(2)} s wall, ${a.mib.toFixed(0)} MiB), yaml ${b.cpuS.toFixed(2)} s CPU (${(b.ms / 1000).toFixed(2)} s wall) → ${(a.cpuS / b.cpuS).toFixed(2)}×`,
    );
  }
  const results = JSON.parse(pairs[0].a.stdout);
  const findings = {};
  for (const r of results) for (const m of r.messages) findings[m.ruleId] = (findings[m.ruleId] ?? 0) + 1;
  const ratios = pairs.map((p) => p.ratio);
  const cpuA = median(pairs.map((p) => p.a.cpuS));
  const cpuB = median(pairs.map((p) => p.b.cpuS));
  console.log(`${files.length} real workflows (${dir}); findings: ${JSON.stringify(findings)}`);
  console.log(
    `oidclint ${cpuA.toFixed(2)} s CPU median, yaml parseDocument ${cpuB.toFixed(2)} s CPU median; ratio per pair: median ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×)`,
  );
  const a = pairs.map((p) => p.a);
  return {
    label: "real workflows",
    files: files.length,
    ms: median(a.map((s) => s.ms)),
    mib: Math.max(...a.map((s) => s.mib)),
    stdout: pairs[0].a.stdout,
  };
}

/**
 * What each YAML layer costs on the real workflows (in this process, rounds interleaved, the first dropped):
 * the floor a faster located model could reach (issue 13).
 */
async function realLayers(dir) {
  const files = realWorkflows(dir);
  const { Lexer, Parser, parseDocument } = await import("yaml");
  const jsyaml = (await import("js-yaml")).default;
  const { parseWorkflow } = await import(join(snapshot, "dist/src/parsers/workflow/index.js"));
  const { fastYamlTree } = await import(join(snapshot, "dist/src/parsers/workflow/yaml-tree.js"));
  const { defaultSettings } = await import(join(snapshot, "dist/src/config/settings.js"));
  const srcs = files.map((f) => ({ path: f, abs: join(dir, f), text: readFileSync(join(dir, f), "utf8") }));
  const env = (workflowPrefilter) => ({
    root: dir,
    settings: defaultSettings(),
    readFile: () => undefined,
    workflowPrefilter,
  });
  const quiet = (f) => (t) => {
    try {
      f(t);
    } catch {
      // a file js-yaml refuses costs what it cost until then
    }
  };
  const layers = {
    "yaml parseDocument": (s) => parseDocument(s.text, { prettyErrors: false, uniqueKeys: false, strict: false }),
    "yaml Lexer": (s) => {
      for (const _ of new Lexer().lex(s.text));
    },
    "yaml Parser (CST)": (s) => {
      for (const _ of new Parser().parse(s.text));
    },
    "js-yaml load": quiet((s) => jsyaml.load(s.text, { schema: jsyaml.CORE_SCHEMA })),
    "js-yaml load + listener": quiet((s) => {
      const at = [];
      jsyaml.load(s.text, {
        schema: jsyaml.CORE_SCHEMA,
        listener: (e, st) => at.push(e === "open" ? st.position : -st.position),
      });
    }),
    "oidclint fast YAML tree": (s) => fastYamlTree(s.text),
    "oidclint parseWorkflow, yaml only": (s) => parseWorkflow(s, env(false), false),
    "oidclint parseWorkflow": (s) => parseWorkflow(s, env(false)),
    "oidclint parseWorkflow, pre-filter": (s) => parseWorkflow(s, env(true)),
  };
  const cpu = Object.fromEntries(Object.keys(layers).map((k) => [k, []]));
  for (let round = 0; round <= runs; round++) {
    for (const [name, fn] of Object.entries(layers)) {
      const t0 = process.cpuUsage();
      for (const s of srcs) fn(s);
      const t = process.cpuUsage(t0);
      if (round > 0) cpu[name].push((t.user + t.system) / 1e6);
    }
  }
  const floor = median(cpu["yaml parseDocument"]);
  console.log(`YAML layers on ${files.length} real workflows (CPU median of ${runs} rounds, in one process):`);
  for (const [name, xs] of Object.entries(cpu))
    console.log(`  ${name.padEnd(36)} ${median(xs).toFixed(2)} s  ${(median(xs) / floor).toFixed(2)}× parseDocument`);
}

// ---------- real Terraform (--terraform DIR) ----------

/**
 * oidclint's `lint` on every input under dir (its own discovery, reading, parsing, rules) against listing the
 * directory and reading every `.tf` / `.tfvars` file, in this process, after one warm-up round, rounds
 * interleaved: the cost of understanding real modules over the cost of reading them (issue 13).
 */
async function terraformBench(dir) {
  const { lint } = await import(join(snapshot, "dist/src/index.js"));
  const isTf = (f) => /\.(tf|tfvars)(\.json)?$/.test(f) && !/(^|\/)(node_modules|\.terraform|\.git)\//.test(f);
  const listAndRead = () => {
    let bytes = 0;
    const files = readdirSync(dir, { recursive: true })
      .map((f) => String(f).split(sep).join("/"))
      .filter(isTf);
    for (const f of files) bytes += readFileSync(join(dir, f), "utf8").length;
    return { files: files.length, bytes };
  };
  const cpuOf = async (fn) => {
    const t0 = process.cpuUsage();
    const out = await fn();
    const t = process.cpuUsage(t0);
    return { s: (t.user + t.system) / 1e6, out };
  };
  const read = [];
  const linted = [];
  let shape;
  for (let round = 0; round <= runs; round++) {
    const a = await cpuOf(() => lint({ cwd: dir }));
    const b = await cpuOf(listAndRead);
    shape ??= {
      files: b.out.files,
      kib: b.out.bytes / 1024,
      findings: a.out.results.reduce((n, r) => n + r.messages.length, 0),
      results: a.out.results.length,
    };
    if (round === 0) continue; // warm-up: module loading, the file cache
    linted.push(a.s);
    read.push(b.s);
    console.log(
      `  round ${round}: lint ${a.s.toFixed(3)} s CPU, list + read ${b.s.toFixed(3)} s → ${(a.s / b.s).toFixed(2)}×`,
    );
  }
  const ratios = linted.map((s, i) => s / read[i]);
  console.log(
    `${shape.files} Terraform files (${shape.kib.toFixed(0)} KiB) under ${dir}: ${shape.results} files reported on, ${shape.findings} findings`,
  );
  console.log(
    `in one process: lint ${median(linted).toFixed(3)} s CPU median, list + read ${median(read).toFixed(3)} s; ratio per round: median ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×)`,
  );
  terraformColdBench(dir, isTf.toString());
}

/**
 * What a user pays: a CLI process (`node bin/oidclint.js --format json .` in dir, the snapshot's bin and
 * bundle with its code cache) against a process that lists and reads the same files, each one's own CPU
 * (user + system, every thread), pairs interleaved after one warm-up pair.
 */
function terraformColdBench(dir, isTfSource) {
  cpSync(join(root, "bin"), join(snapshot, "bin"), { recursive: true });
  const listRead = join(snapshot, "list-read.mjs");
  writeFileSync(
    listRead,
    `import { readdirSync, readFileSync } from "node:fs";
import { join, sep } from "node:path";
const isTf = ${isTfSource};
const dir = process.argv[2];
let bytes = 0;
const files = readdirSync(dir, { recursive: true }).map((f) => String(f).split(sep).join("/")).filter(isTf);
for (const f of files) bytes += readFileSync(join(dir, f), "utf8").length;
console.log(files.length, bytes);
`,
  );
  const cli = [];
  const lr = [];
  for (let round = 0; round <= runs; round++) {
    const a = measure([join(snapshot, "bin/oidclint.js"), "--format", "json", "."], dir);
    const b = measure([listRead, dir], dir);
    if (round === 0) continue;
    cli.push(a.cpuS);
    lr.push(b.cpuS);
    console.log(
      `  process pair ${round}: CLI ${a.cpuS.toFixed(2)} s CPU, list + read ${b.cpuS.toFixed(2)} s → ${(a.cpuS / b.cpuS).toFixed(2)}×`,
    );
  }
  const ratios = cli.map((s, i) => s / lr[i]);
  console.log(
    `as processes: CLI ${median(cli).toFixed(2)} s CPU median, list + read ${median(lr).toFixed(2)} s; ratio per pair: median ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×)`,
  );
}

// ---------- main ----------

if (values.terraform !== undefined) {
  await terraformBench(resolve(values.terraform));
  process.exit(0);
}
const realDir = values.real === undefined ? undefined : resolve(values.real);
const dir = realDir ?? join(root, ".bench", values.single ? "single" : `${values.mix}-${N}`);
let counts;
if (realDir) counts = { workflows: realWorkflows(realDir).length };
else if (!existsSync(join(dir, ".oidclintrc.json")))
  counts = generate(dir, N, values.single ? "workflows" : values.mix);
else counts = plan(N, values.single ? "workflows" : values.mix);
if (values.profile) mkdirSync(profileDir, { recursive: true });

const cores = availableParallelism();
console.log(
  `oidclint bench — ${cores} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}, ${runs} runs + 1 warm-up, repository ${realDir ?? dir.slice(root.length + 1)}`,
);
console.log(
  `files: ${Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ")}`,
);

// The Node flags bin/oidclint.js asks for in its shebang (`#!/usr/bin/env -S node …`), as users run it.
const binFlags = (
  /^#!.*\bnode\b(.*)$/m.exec(readFileSync(join(root, "bin/oidclint.js"), "utf8").split("\n")[0] ?? "")?.[1] ?? ""
)
  .trim()
  .split(/\s+/)
  .filter(Boolean);
const cli = [...binFlags, bin, "--format", "json", "--no-color"];
const oneFile = (stdout) => {
  if (JSON.parse(stdout).length !== 1) throw new Error(`expected a report on one file: ${stdout.slice(0, 200)}`);
};
let main;
if (realDir) {
  if (values.layers) await realLayers(realDir);
  main = realBench(realDir);
} else if (values.single) {
  main = series("single workflow (pre-commit)", [...cli, ".github/workflows/pipeline-0.yml"], dir, 1, oneFile);
} else if (values.precommit) {
  const staged = ".github/workflows/pipeline-1.yml";
  series("one staged file, no context", [...cli, staged], dir, 1, oneFile);
  main = series("one staged file, --context .", [...cli, "--context", ".", staged], dir, 1, oneFile);
} else {
  let expected;
  const sameReport = (stdout) => {
    const n = JSON.parse(stdout).length;
    expected ??= n;
    if (n !== expected || n === 0) throw new Error(`run reported on ${n} files, another on ${expected}`);
  };
  main = series(`oidclint . (${values.mix})`, [...cli, "."], dir, N, sameReport);
  const results = JSON.parse(main.stdout);
  const findings = results.reduce((n, r) => n + r.messages.length, 0);
  console.log(`  ${results.length} files reported on, ${findings} findings`);
  if (values.heap) heapKept(dir, N);
  if (values.mix === "workflows") {
    // The floor: reading the same workflows and parsing them with `yaml`, nothing else.
    const baseline = `import { readFileSync, readdirSync } from "node:fs"; import { parseDocument } from ${JSON.stringify(join(root, "node_modules/yaml/dist/index.js"))};
      const d = ".github/workflows"; let n = 0; for (const f of readdirSync(d)) { parseDocument(readFileSync(d + "/" + f, "utf8")); n++; } if (n === 0) process.exit(3);`;
    const base = series("node + yaml parse only (floor)", ["--input-type=module", "-e", baseline], dir, N);
    console.log(
      `  ratio oidclint / yaml-only: ${(main.ms / base.ms).toFixed(2)}× wall, ${(main.cpuS / base.cpuS).toFixed(2)}× CPU`,
    );
  }
}
if (values.markdown) {
  console.log(
    `| ${values.single ? "1 (single workflow)" : values.precommit ? `1 staged of ${N}, --context .` : `${N} (${values.mix})`} | ${main.ms.toFixed(0)} ms | ${(main.files / (main.ms / 1000)).toFixed(0)} | ${main.mib.toFixed(0)} MiB |`,
  );
}
if (values.profile)
  console.log(
    `CPU profiles in ${profileDir.slice(root.length + 1)}: ${readdirSync(profileDir).length} files (open in Chrome DevTools → Performance)`,
  );
