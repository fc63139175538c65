/**
 * The command line's manners, for every command: a short `--help` with examples (exit 0, even next to a wrong
 * option), and every mistake — an unknown option, a missing value, an argument the command does not take, a
 * misspelt command — answered in oidclint's words with a suggestion and exit 2, never with Node's parseArgs text.
 */
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { captureIO, fixtureDir } from "./helpers.js";

const COMMANDS = ["", "check", "explain", "generate", "map", "init"] as const;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO(fixtureDir("demo"));
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

/** Node's own wording, which must never reach the user. */
const NODE_TEXT =
  /Unknown option '|ERR_PARSE_ARGS|To specify a positional argument|argument is ambiguous|does not take an argument|Unexpected argument '/;

describe("--help", () => {
  for (const command of COMMANDS) {
    const argv = command ? [command] : [];
    it(`oidclint ${command || "(lint)"} --help: usage, options and examples, exit 0`, async () => {
      for (const help of [["--help"], ["-h"], ["--bogus", "--help"]]) {
        const r = await run([...argv, ...help]);
        expect(r.code).toBe(0);
        expect(r.err).toBe("");
        expect(r.out).toMatch(new RegExp(`^Usage: oidclint ${command}`));
        expect(r.out).toContain("\nExamples:\n");
        // Every example is a command of this kind.
        const examples = (r.out.split("\nExamples:\n")[1]?.split("\n\n")[0]?.split("\n") ?? []).filter((l) => l);
        expect(examples.length).toBeGreaterThanOrEqual(2);
        for (const e of examples) expect(e).toMatch(new RegExp(`^  (echo .*\\| )?oidclint ${command}`));
        // Short: fits a terminal.
        expect(r.out.split("\n").length).toBeLessThan(50);
        expect(r.out.split("\n").every((l) => l.length <= 110)).toBe(true);
      }
    });
  }
});

describe("mistakes on the command line", () => {
  const cases: [string[], string][] = [
    [["--fromat", "json"], "oidclint: unknown option --fromat — did you mean --format?"],
    [["-x"], "oidclint: unknown option -x"],
    [["--format"], "oidclint: --format needs a value"],
    [["--quiet=yes"], "oidclint: --quiet takes no value"],
    [["explian", "x.yml"], 'oidclint: unknown command "explian" — did you mean explain?'],
    [["check", "--polcy", "p.json"], "oidclint check: unknown option --polcy — did you mean --policy?"],
    [["check", "--policy"], "oidclint check: --policy needs a value"],
    [["check", "--sub", "-x"], 'oidclint check: --sub needs a value; for one that starts with "-", write --sub=VALUE'],
    [
      ["check", "iam/legacy-trust.json"],
      'oidclint check: unexpected argument "iam/legacy-trust.json": oidclint check takes no arguments (the policy is --policy FILE)',
    ],
    [
      ["check", "--policy", "p.json", "--sub", "s", "--format", "yaml"],
      'oidclint check: unknown format "yaml" (expected text or json)',
    ],
    [["explain", "--jbo", "deploy", "w.yml"], "oidclint explain: unknown option --jbo — did you mean --job?"],
    [["explain"], "oidclint explain: give a workflow file"],
    [["explain", "a.yml", "b.yml"], 'oidclint explain: unexpected argument "b.yml": give at most 1 workflow file'],
    [["generate", "--rol", "deploy"], "oidclint generate: unknown option --rol — did you mean --role?"],
    [["generate"], "oidclint generate: --role NAME|ARN is required"],
    [["map", "--outputfile", "m.html"], "oidclint map: unknown option --outputfile — did you mean --output-file?"],
    [["map", "--format", "svg"], 'oidclint map: unknown format "svg" (expected html, mermaid, markdown, json)'],
    [["init", "--forse"], "oidclint init: unknown option --forse — did you mean --force?"],
  ];
  for (const [args, message] of cases) {
    it(`oidclint ${args.join(" ")}`, async () => {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.out).toBe("");
      const command = /^oidclint( \w+)?:/.exec(message)?.[0].slice(0, -1) ?? "oidclint";
      expect(r.err).toBe(`${message}\nRun \`${command} --help\` for usage and examples.\n`);
      expect(r.err).not.toMatch(NODE_TEXT);
    });
  }
});
