/**
 * The GitHub Action (action.yml `runs.using: node24`, `main: dist-action/index.js`, the bundle of
 * src/action/index.ts built by `npm run build:action`). The runner passes each input as `INPUT_<NAME>`
 * (upper case, spaces as `_`, dashes kept) and reads outputs and the job summary from the files that
 * `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` name. The run is the CLI's: the same options, exit codes and formats.
 */
import { appendFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { main } from "../cli.js";
import { defaultIO, type CliIO } from "../commands/io.js";
import { github } from "../formatters/github.js";
import { markdown } from "../formatters/markdown.js";

export const FAIL_ON = ["error", "warning", "never"] as const;

/** An input as the runner passes it (trimmed); `fallback` when empty or absent. */
export function input(env: CliIO["env"], name: string, fallback = ""): string {
  return (env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim() || fallback;
}

/** The words of an input: separated by spaces or new lines; `"…"` or `'…'` keeps spaces inside one word. */
export function words(s: string): string[] {
  return [...s.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}

/** Appends `name=value` to the `GITHUB_OUTPUT` file, in the delimited form so no value can add another output. */
function setOutput(env: CliIO["env"], name: string, value: string): void {
  if (!env.GITHUB_OUTPUT) return;
  const delimiter = `oidclint_${randomUUID()}`;
  appendFileSync(env.GITHUB_OUTPUT, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

/** The CLI arguments the inputs stand for. */
export function actionArgs(env: CliIO["env"]): { args: string[]; format: string; failOn: string; sarifFile: string } {
  const format = input(env, "format", "github");
  const failOn = input(env, "fail-on", "error");
  const sarifFile = input(env, "sarif-file", "oidclint.sarif");
  const args = ["--format", format];
  const config = input(env, "config");
  if (config) args.push("--config", config);
  if (failOn === "warning") args.push("--max-warnings", "0");
  if (format === "sarif") args.push("--output-file", sarifFile);
  args.push(...words(input(env, "args")), "--", ...words(input(env, "paths", ".")));
  return { args, format, failOn, sarifFile };
}

/**
 * Runs the action; returns the process exit code: oidclint's, or 0 with `fail-on: never` unless the run
 * itself failed (2: usage, config or internal error). Annotations are written whatever the format (the
 * github format is them), and the job summary when the runner names its file.
 */
export async function runAction(io: CliIO = defaultIO()): Promise<number> {
  const { env } = io;
  const { args, format, failOn, sarifFile } = actionArgs(env);
  if (!(FAIL_ON as readonly string[]).includes(failOn)) {
    io.stdout(
      `::error title=oidclint::fail-on must be error, warning or never, not "${failOn.replace(/[^\w.-]/g, "?")}"\n`,
    );
    return 2;
  }
  let counts: { errors: number; warnings: number } | undefined;
  const code = await main(args, {
    ...io,
    onReport(report, meta) {
      counts = { errors: report.errorCount, warnings: report.warningCount };
      // After the report (the json format ends without a new line).
      if (format !== "github") io.stdout(`${format === "json" ? "\n" : ""}${github(report, meta)}`);
      if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${markdown(report, meta)}\n`);
    },
  });
  setOutput(env, "exit-code", String(code));
  if (counts) {
    setOutput(env, "error-count", String(counts.errors));
    setOutput(env, "warning-count", String(counts.warnings));
  }
  if (format === "sarif" && code < 2) setOutput(env, "sarif-file", sarifFile);
  if (code >= 2) return code;
  return failOn === "never" ? 0 : code;
}
