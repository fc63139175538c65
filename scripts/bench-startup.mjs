// Start-up benchmark (issue 13): the CPU time (user + system) of one-file runs of the CLI, paired with
// `node -e 0` in interleaved runs so that the machine's load affects both sides alike. Prints per case the
// mean CPU per run and the ratio to `node -e 0`.
//
//   node scripts/bench-startup.mjs [--runs N] [--bin FILE] [--bin FILE2 ...]
//   node scripts/bench-startup.mjs --precommit [--runs N] [--bin FILE ...]
//
// --precommit: one staged workflow of .bench/mixed-2000 (`npm run bench -- --files 2000 --precommit` generates
// it) without and with `--context .`, each bin's context run also given as a ratio to its own run without.
//
// --bin: the entry to measure (default: bin/oidclint.js, as `npx oidclint` runs it); several --bin are
// measured side by side in the same interleaved rounds (e.g. an older build against the current one).
// The cases run in a small generated repository (one workflow, one trust policy) under .bench/startup.
// CPU time is read from /proc/self/stat (the children's user and system time once they were waited for), so
// the total over all runs is exact to 10 ms, not each run's.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const root = join(import.meta.dirname, "..");
const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "20" },
    bin: { type: "string", multiple: true },
    precommit: { type: "boolean", default: false },
  },
});
const runs = Number(values.runs);
const given = values.bin ?? ["bin/oidclint.js"];
const bins = given.map((b) => resolve(b));

const repo = join(root, values.precommit ? ".bench/mixed-2000" : ".bench/startup");
if (values.precommit && !existsSync(repo))
  throw new Error(`${repo} is missing: run \`npm run bench -- --files 2000 --precommit\` once to generate it`);
if (!values.precommit) writeStartupRepository();

function writeStartupRepository() {
  mkdirSync(join(repo, ".github/workflows"), { recursive: true });
  mkdirSync(join(repo, "infra"), { recursive: true });
  writeFileSync(
    join(repo, ".github/workflows/deploy.yml"),
    `name: deploy
on:
  push:
    branches: [main]
permissions:
  id-token: write
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: us-east-1
      - run: aws sts get-caller-identity
`,
  );
  writeFileSync(
    join(repo, "infra/trust.json"),
    `${JSON.stringify(
      {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": "repo:acme/app:environment:production",
              },
            },
          },
        ],
      },
      null,
      2,
    )}\n`,
  );
  writeFileSync(join(repo, ".oidclintrc.json"), `${JSON.stringify({ repository: "acme/app" })}\n`);
}

const STAGED = [".github/workflows/pipeline-1.yml", "--format", "json", "--no-color"];
const CASES = values.precommit
  ? [
      ["one staged workflow, no context", STAGED],
      ["one staged workflow, --context .", ["--context", ".", ...STAGED]],
    ]
  : [
      ["lint one workflow (pre-commit)", [".github/workflows/deploy.yml"]],
      ["check --policy --sub", ["check", "--policy", "infra/trust.json", "--sub", "repo:acme/app:ref:refs/heads/main"]],
      ["explain WORKFLOW", ["explain", ".github/workflows/deploy.yml"]],
    ];

/** The CPU time (user + system, seconds) of the children waited for so far. */
function childCpu() {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
  // After "pid (comm) ": state is field 3, so cutime (16) and cstime (17) are at indexes 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

function run(args) {
  const r = spawnSync(process.execPath, args, { cwd: repo, encoding: "utf8" });
  if ((r.status !== 0 && r.status !== 1) || r.stderr)
    throw new Error(`${args.join(" ")}: exit ${r.status}\n${r.stderr}`);
  return r;
}

function cpuOf(args) {
  const before = childCpu();
  run(args);
  return childCpu() - before;
}

const columns = [["node -e 0", ["-e", "0"]]];
for (const bin of bins)
  for (const [name, args] of CASES)
    columns.push([`${bins.length > 1 ? `${given[bins.indexOf(bin)]} ` : ""}${name}`, [bin, ...args]]);
// Warm the file cache, and check that every entry prints the same as the first for each case.
const expected = new Map();
for (const [name, args] of columns) {
  const r = run(args);
  const key = args.slice(1).join(" ");
  if (!expected.has(key)) expected.set(key, r);
  else if (expected.get(key).stdout !== r.stdout || expected.get(key).status !== r.status)
    throw new Error(`${name}: prints another report than ${bins[0]}\n${r.stdout}`);
}
const totals = columns.map(() => 0);
for (let i = 0; i < runs; i++) columns.forEach(([, args], c) => (totals[c] += cpuOf(args)));

const base = totals[0] / runs;
console.log(
  `node ${process.version}, ${runs} interleaved rounds, load ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`,
);
for (const [c, [name]] of columns.entries()) {
  const mean = totals[c] / runs;
  // With --precommit, the context run of a bin is also compared with the same bin's run without context.
  const own =
    values.precommit && name.endsWith("--context .")
      ? `  ${(totals[c] / totals[c - 1]).toFixed(2)}× without context`
      : "";
  console.log(`${name.padEnd(48)} ${(mean * 1000).toFixed(0).padStart(5)} ms CPU  ${(mean / base).toFixed(2)}×${own}`);
}
