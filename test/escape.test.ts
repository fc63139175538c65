/**
 * Issue 12, security items 2–3: no control character from the linted content reaches a terminal or a CI
 * log. Payloads (ESC/CSI/OSC sequences, CR, LF followed by a `::workflow-command::`, a bidi override) are
 * put in a policy value, a job name, a role-to-assume and a file name, and every human-readable output is
 * searched for them: stylish (also --verbose and with colour), github, explain and check.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main, type CliIO } from "../src/cli.js";
import { painter, visible } from "../src/formatters/terminal.js";

const PAYLOAD =
  "x\u001b[2J\u001b]8;;https://evil.example/\u0007link\u001b]8;;\u0007\r\n::error file=a.yml::pwned\n::stop-commands::tok\u202e";
/** Any character of these classes left in an output line is a failure (a newline only ends a line). */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const dir = mkdtempSync(join(tmpdir(), "oidclint-escape-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const policy = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
        StringLike: { "token.actions.githubusercontent.com:sub": `repo:acme*${PAYLOAD}` },
      },
    },
  ],
};
mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
writeFileSync(
  join(dir, ".oidclintrc.json"),
  JSON.stringify({ repository: "acme/webshop", roles: { "arn:aws:iam::123456789012:role/deploy": "trust.json" } }),
);
writeFileSync(join(dir, "trust.json"), JSON.stringify(policy, null, 2));
// The file name itself carries a payload (ESC and CR are legal in POSIX names; `/` and NUL are not).
const hostileName = "evil\u001b[31m\r::error::name.json";
writeFileSync(
  join(dir, hostileName),
  JSON.stringify({ ...policy, Statement: [{ ...policy.Statement[0], Condition: {} }] }, null, 2),
);
writeFileSync(
  join(dir, ".github", "workflows", "deploy.yml"),
  [
    "on: pull_request",
    "permissions: { contents: read }",
    "jobs:",
    "  deploy:",
    `    name: ${JSON.stringify(`deploy ${PAYLOAD}`)}`,
    "    runs-on: ubuntu-latest",
    "    steps:",
    "      - uses: aws-actions/configure-aws-credentials@v4",
    "        with:",
    `          role-to-assume: ${JSON.stringify(`arn:aws:iam::123456789012:role/deploy${PAYLOAD}`)}`,
    "          aws-region: eu-west-1",
    "",
  ].join("\n"),
);

async function cli(args: string[], opts: { color?: boolean } = {}): Promise<{ code: number; out: string }> {
  let out = "";
  const io: CliIO = {
    stdout: (s) => (out += s),
    stderr: (s) => (out += s),
    readStdin: () => Promise.resolve(""),
    isTTY: opts.color ?? false,
    cwd: dir,
    env: {},
  };
  return { code: await main(args, io), out };
}

function expectSafe(out: string, opts: { color?: boolean } = {}): void {
  // With colour, only the SGR sequences of the painter itself may appear.
  const text = opts.color ? out.replace(/\u001b\[\d+m/g, "") : out;
  for (const line of text.split("\n")) {
    expect(line, JSON.stringify(line)).not.toMatch(UNSAFE);
    expect(line).not.toMatch(/^::/);
  }
}

describe("control characters are made visible", () => {
  it("visible() names every control character and keeps other text", () => {
    expect(visible("a\u001b[2Jb\r\n\t\u0007\u009b\u202e…é")).toBe("a\\e[2Jb\\r\\n\\t\\x07\\x9b\\u202e…é");
  });
  it("a painter's own styles survive, forged ones do not", () => {
    const paint = painter(true);
    expect(paint.line(paint.red("a\u001b[31mb"))).toBe("\u001b[31ma\\e[31mb\u001b[0m");
    expect(painter(false).line(painter(false).red("a\u001b[0m"))).toBe("a\\e[0m");
  });
  it("stylish, plain and --verbose, and with colour", async () => {
    const plain = await cli(["."]);
    expect(plain.code).toBe(1);
    expect(plain.out).toContain("invalid-sub-pattern");
    expect(plain.out).toContain("\\e[2J");
    expect(plain.out).toContain("evil\\e[31m\\r::error::name.json");
    expectSafe(plain.out);
    expectSafe((await cli([".", "--verbose"])).out);
    const colored = await cli([".", "--color", "--verbose"]);
    expect(colored.out).toContain("\u001b[");
    expectSafe(colored.out, { color: true });
  });
  it("github: the runner's escapes, and no raw ESC in the log", async () => {
    const r = await cli([".", "--format", "github"]);
    expect(
      r.out
        .split("\n")
        .filter((l) => l !== "")
        .every((l) => /^::(error|warning) file=/.test(l)),
    ).toBe(true);
    expect(r.out).not.toMatch(/\u001b/);
  });
  it("explain", async () => {
    const r = await cli(["explain", ".github/workflows/deploy.yml"]);
    expect(r.out).toContain("deploy");
    expectSafe(r.out);
    expectSafe((await cli(["explain", ".github/workflows/deploy.yml", "--job", `x${PAYLOAD}`])).out);
  });
  it("check, with a payload in the claims and in the policy", async () => {
    const r = await cli(["check", "--policy", "trust.json", "--sub", `repo:acme/x${PAYLOAD}`]);
    expect(r.out).toContain("\\e[2J");
    expectSafe(r.out);
    expectSafe((await cli(["check", "--policy", hostileName, "--sub", "repo:acme/x:ref:refs/heads/main"])).out);
  });
  it("error messages", async () => {
    expectSafe((await cli([`no-such${PAYLOAD}`])).out);
    expectSafe((await cli(["--format", `x${PAYLOAD}`])).out);
  });
});
