/**
 * bin/oidclint.js as a user's shell runs it (issue 13): the process ends as soon as the command returns with its
 * output written, and what a run does not need is not loaded (`tty` when no format colours its output).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "oidclint-bin-"));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const BIN = join(ROOT, "bin/oidclint.js");
const WORKFLOW = `on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: us-east-1
`;

/** A project of `n` workflows, each with one finding (`missing-id-token-permission`). */
function project(name: string, n: number): string {
  const dir = join(work, name);
  mkdirSync(join(dir, ".github/workflows"), { recursive: true });
  for (let i = 0; i < n; i++) writeFileSync(join(dir, `.github/workflows/deploy-${String(i)}.yml`), WORKFLOW);
  return dir;
}

const env = (): NodeJS.ProcessEnv => ({ ...process.env, NO_COLOR: "1", OIDCLINT_CACHE_DIR: join(work, "cache") });

describe("bin/oidclint.js", () => {
  it("writes a report larger than a pipe holds whole, to a reader that waits, and exits with its code", () => {
    const dir = project("large-report", 150);
    // A shell pipe whose reader starts late: the report's writes block on the full pipe (64 KiB) until it reads.
    // (A Node parent's own pipe would not do: Node drops what a child wrote if nobody listened when it exited.)
    const r = spawnSync(
      "bash",
      ["-c", '"$1" "$2" --format json . | { sleep 0.5; cat; }; exit "${PIPESTATUS[0]}"', "bash", process.execPath, BIN],
      {
        cwd: dir,
        env: env(),
        encoding: "utf8",
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    expect({ exit: `${String(r.status)} ${String(r.signal)}`, stderr: r.stderr }).toEqual({
      exit: "1 null",
      stderr: "",
    });
    expect(r.stdout.length).toBeGreaterThan(128 * 1024);
    const results = JSON.parse(r.stdout) as { messages: { ruleId: string }[] }[];
    expect(results).toHaveLength(150);
    expect(results.every((x) => x.messages.map((m) => m.ruleId).join() === "missing-id-token-permission")).toBe(true);
  });

  it("reads Terraform's reader and its regular expression engine from the pack, no chunk file on its own", () => {
    const dir = join(work, "terraform");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "main.tf"),
      `locals {\n  repo = regex("^[a-z]+/[a-z]+$", "octo/app")\n}\n\nresource "aws_iam_role" "deploy" {\n  name = "deploy"\n  assume_role_policy = jsonencode({\n    Version = "2012-10-17"\n    Statement = [{\n      Effect = "Allow"\n      Action = "sts:AssumeRoleWithWebIdentity"\n      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }\n      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "repo:\${local.repo}:*" } }\n    }]\n  })\n}\n`,
    );
    const preload = join(work, "reads.cjs");
    writeFileSync(
      preload,
      `const fs = require("node:fs"); const read = fs.readFileSync; const seen = [];
fs.readFileSync = function (p, ...rest) { if (/[\\\\/]dist[\\\\/]cli[\\\\/].*\\.js$/.test(String(p))) seen.push(String(p)); return read.call(this, p, ...rest); };
process.on("exit", () => fs.writeSync(2, "READ " + JSON.stringify(seen) + "\\n"));\n`,
    );
    // The file named (a directory outside git would load globby for the walk).
    const r = spawnSync(process.execPath, ["-r", preload, BIN, "--format", "json", "main.tf"], {
      cwd: dir,
      env: env(),
      encoding: "utf8",
    });
    const results = JSON.parse(r.stdout) as { messages: { ruleId: string; message: string }[] }[];
    // The regex() call was evaluated (re2js loaded): the sub is known, and too broad.
    expect(results.flatMap((x) => x.messages.map((m) => m.ruleId))).toContain("broad-sub-wildcard");
    expect(results.flatMap((x) => x.messages.map((m) => m.message)).join("\n")).toContain("repo:octo/app:*");
    expect(JSON.parse(/READ (.*)/.exec(r.stderr)?.[1] ?? "null")).toEqual([]);
  });

  it("loads no `tty` for a format that does not colour, even when standard output is a character device, and no node:crypto (fingerprints are hashed in WebAssembly)", () => {
    const dir = project("one", 1);
    const preload = join(work, "modules.cjs");
    writeFileSync(
      preload,
      `process.on("exit", () => require("node:fs").writeSync(2, "MODULES " + JSON.stringify(process.moduleLoadList.filter((m) => /^NativeModule (tty|crypto)$/.test(m)))));\n`,
    );
    const devNull = openSync("/dev/null", "w");
    try {
      // Not even for a format that prints fingerprints (the one finding's): src/engine/sha256.ts.
      for (const [format, expected] of [
        ["json", []],
        ["stylish", ["NativeModule tty"]],
        ["github", []],
      ] as const) {
        // Neither NO_COLOR nor FORCE_COLOR: stylish asks whether standard output is a terminal.
        const { NO_COLOR: _no, FORCE_COLOR: _force, ...plain } = env();
        const r = spawnSync(process.execPath, ["-r", preload, BIN, "--format", format, "."], {
          cwd: dir,
          env: plain,
          stdio: ["ignore", devNull, "pipe"],
          encoding: "utf8",
        });
        expect(r.status).toBe(1);
        expect(JSON.parse(r.stderr.split("MODULES ")[1] ?? "null")).toEqual(expected);
      }
    } finally {
      closeSync(devNull);
    }
  });
});
