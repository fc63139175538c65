/** SPEC §7: no input crashes or hangs the run; unreadable inputs become located parse-errors and the rest is linted. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findingLines, run, GOOD_WORKFLOW } from "./helpers.js";

const root = mkdtempSync(join(tmpdir(), "oidclint-bad-"));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function repo(name: string, files: Record<string, string | Buffer>): string {
  const dir = join(root, name);
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), body);
  }
  return dir;
}

async function findings(cwd: string, paths?: string[]): Promise<string[]> {
  return findingLines(await run(paths ? { cwd, paths } : { cwd }), cwd, { withFile: true }).sort();
}

/** Every case also holds a good workflow whose finding must still appear. */
const goodFinding = ".github/workflows/good.yml:5:3 error missing-id-token-permission/missingPermission";

describe("bad input", () => {
  it("invalid UTF-8 is reported at the first bad byte", async () => {
    const cwd = repo("utf8", {
      ".github/workflows/good.yml": GOOD_WORKFLOW,
      ".github/workflows/latin1.yml": Buffer.concat([
        Buffer.from("on: push\nname: caf"),
        Buffer.from([0xe9]),
        Buffer.from("\n"),
      ]),
    });
    expect(await findings(cwd)).toEqual([
      goodFinding,
      ".github/workflows/latin1.yml:2:10 error parse-error/unparsable",
    ]);
  });
  it("hostile nesting is refused where it passes the limit, before any parser recurses", async () => {
    const cwd = repo("deep", {
      ".github/workflows/good.yml": GOOD_WORKFLOW,
      ".github/workflows/deep.yml": `on: push\njobs: ${"[".repeat(100000)}\n`,
      "policy.json": `{"Statement": ${"[".repeat(50000)}`,
    });
    expect(await findings(cwd)).toEqual([
      ".github/workflows/deep.yml:2:207 error parse-error/unparsable",
      goodFinding,
      "policy.json:1:214 error parse-error/unparsable",
    ]);
  });
  it("an alias bomb costs nothing: aliases are never expanded", async () => {
    const lines = ["on: push", 'a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(",")}]`,
      );
    lines.push("jobs: { x: { runs-on: ubuntu-latest, steps: [*l] } }");
    const cwd = repo("bomb", {
      ".github/workflows/good.yml": GOOD_WORKFLOW,
      ".github/workflows/bomb.yml": `${lines.join("\n")}\n`,
    });
    const started = Date.now();
    const lines2 = await findings(cwd);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(lines2).toContain(goodFinding);
  });
  it("an unclosed string is reported at its opening quote, not past the end of the file", async () => {
    const cwd = repo("quote", {
      ".github/workflows/good.yml": GOOD_WORKFLOW,
      ".github/workflows/broken.yml": 'on: push\njobs:\n  x:\n    runs-on: "ubuntu-latest\n',
    });
    expect(await findings(cwd)).toEqual([
      ".github/workflows/broken.yml:4:14 error parse-error/unparsable",
      goodFinding,
    ]);
  });
  it("binary and oversized inputs are reported without being parsed", async () => {
    const cwd = repo("binary", {
      ".github/workflows/good.yml": GOOD_WORKFLOW,
      ".github/workflows/binary.yml": Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]),
      "infra/huge.tf": Buffer.alloc(9 * 1024 * 1024, 0x20),
    });
    expect(await findings(cwd)).toEqual([
      ".github/workflows/binary.yml:1:1 error parse-error/unparsable",
      goodFinding,
      "infra/huge.tf:1:1 error parse-error/unparsable",
    ]);
  });
  it("a symlink loop named on the command line is a finding; in a walked directory it is skipped", async () => {
    const cwd = repo("loop", { ".github/workflows/good.yml": GOOD_WORKFLOW });
    symlinkSync("loop.yml", join(cwd, ".github/workflows/loop.yml"));
    symlinkSync("..", join(cwd, ".github/up"));
    expect(await findings(cwd, [".github/workflows/loop.yml", ".github/workflows/good.yml"])).toEqual([
      goodFinding,
      ".github/workflows/loop.yml:1:1 error parse-error/unparsable",
    ]);
    expect(await findings(cwd)).toEqual([goodFinding]);
  });
  it("an empty workflow and a workflow that is not a mapping do not crash", async () => {
    const cwd = repo("empty", {
      ".github/workflows/good.yml": GOOD_WORKFLOW,
      ".github/workflows/empty.yml": "",
      ".github/workflows/list.yml": "- a\n- b\n",
    });
    const found = await findings(cwd);
    expect(found).toContain(goodFinding);
    expect(found).toContain(".github/workflows/list.yml:1:1 error parse-error/unparsable");
  });
});
