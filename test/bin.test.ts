/**
 * bin/oidclint.js as a user's shell runs it (issue 13): the process ends as soon as the command returns with its
 * output written, and what a run does not need is not loaded (`tty` when no format colours its output).
 */
import { spawn, spawnSync } from "node:child_process";
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
  it("writes a report larger than a pipe holds whole, to a reader that waits, and exits with its code", async () => {
    const dir = project("large-report", 150);
    const child = spawn(process.execPath, [BIN, "--format", "json", "."], { cwd: dir, env: env() });
    const stderr: Buffer[] = [];
    child.stderr.on("data", (b: Buffer) => {
      stderr.push(b);
    });
    const exited = new Promise<number | null>((resolve) => {
      child.on("exit", resolve);
    });
    // Nothing is read for a while: the child's writes block on the full pipe.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const chunks: Buffer[] = [];
    for await (const b of child.stdout) chunks.push(b as Buffer);
    const out = Buffer.concat(chunks).toString("utf8");
    expect(Buffer.concat(stderr).toString("utf8")).toBe("");
    expect(out.length).toBeGreaterThan(128 * 1024);
    const results = JSON.parse(out) as { messages: { ruleId: string }[] }[];
    expect(results).toHaveLength(150);
    expect(results.every((r) => r.messages.map((m) => m.ruleId).join() === "missing-id-token-permission")).toBe(true);
    expect(await exited).toBe(1);
  });

  it("loads no `tty` for a format that does not colour, even when standard output is a character device", () => {
    const dir = project("one", 1);
    const preload = join(work, "modules.cjs");
    writeFileSync(
      preload,
      `process.on("exit", () => require("node:fs").writeSync(2, "MODULES " + JSON.stringify(process.moduleLoadList.filter((m) => / tty$/.test(m)))));\n`,
    );
    const devNull = openSync("/dev/null", "w");
    try {
      for (const [format, expected] of [
        ["json", []],
        ["stylish", ["NativeModule tty"]],
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
