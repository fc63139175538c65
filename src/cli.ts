import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { readTextFile } from "./engine/read-file.js";
import { fileURLToPath } from "node:url";
import { ConfigError } from "./config/load.js";
import { nearest, parseOptions, UsageError, wantsHelp } from "./commands/args.js";
import { defaultIO, type CliIO } from "./commands/io.js";
import { applyBaseline, baselineOf, BaselineError, parseBaseline } from "./engine/baseline.js";
import { pathUnderRoot, repositoryRoot } from "./formatters/repo-path.js";
import { lint, type LintOptions } from "./engine/lint.js";
import { capReport, DEFAULT_MAX_PER_RULE, ruleErrorText, type LintReport } from "./engine/result.js";
import { moreFindingsFingerprint } from "./engine/fingerprint.js";
import type { Severity } from "./engine/rule.js";
import { formatterFor, formatters, type FormatMeta } from "./formatters/index.js";
import { useColor, visible } from "./formatters/terminal.js";
import { rules } from "../rules/index.js";

export type { CliIO } from "./commands/io.js";
export { outputDone } from "./commands/io.js";

export function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "oidclint" && pkg.version) return pkg.version;
    } catch {
      // keep looking upward
    }
    dir = dirname(dir);
  }
  return "0.0.0";
}

const HELP = `Usage: oidclint [paths...] [options]                 lint (the default command)
       oidclint check --policy FILE --sub SUB       why a role refuses a token
       oidclint explain WORKFLOW [--job NAME]       the claims a workflow's jobs send, who accepts them
       oidclint generate --role NAME|ARN [paths...] the narrowest trust policy for a role's jobs
       oidclint map [paths...] [-o FILE]            the trust map: workflows, jobs, roles
       oidclint init                                write a starter .oidclintrc.json
       oidclint COMMAND --help                      options and examples of a command

Lints GitHub Actions → AWS OIDC trust policies (Terraform, CloudFormation, CDK output,
JSON) and the workflows that assume them. Paths are files, directories or globs (default: .);
a glob that matches no file is an error.

Options:
  -f, --format NAME        stylish (default), json, sarif, github, markdown
  -v, --verbose            stylish: explanation, fix and source line under each problem
  -c, --config FILE        use this config instead of the nearest .oidclintrc.json
      --rule ID:LEVEL      set a rule's level (off, warn, error); repeatable
      --max-warnings N     exit 1 when there are more than N warnings
      --max-per-rule N     show at most N findings of one rule in one file, then one line for the
                           rest (default 100; 0 shows all); counts and exit code include them all
      --quiet              report errors only
      --color, --no-color  force colour on or off (default: on for a terminal; FORCE_COLOR and
                           NO_COLOR are honoured)
      --stdin              lint standard input …
      --stdin-filename F   … as if it were the file F
      --context PATH       read PATH for cross-file rules without reporting on it; repeatable
      --online             ask the GitHub API about repositories (stale-repo-path); says which
                           lookups failed
      --write-baseline F   record today's problems in F (exit 0) …
      --baseline F         … and report only problems that F does not record
      --fix                apply the certain fixes to the files, then report what is left
      --fix-dry-run        print the fixes as a unified diff; change nothing
  -o, --output-file FILE   write the report to FILE
  -h, --help               show this help
  -V, --version            show the version

Examples:
  oidclint                                  lint the repository you are in
  oidclint infra/ .github/workflows/ -v     two directories, with explanations
  oidclint --format sarif -o oidclint.sarif for GitHub code scanning
  oidclint --write-baseline .oidclint-baseline.json    accept today's problems …
  oidclint --baseline .oidclint-baseline.json          … and fail only on new ones

Exit codes: 0 no errors, 1 lint errors (or too many warnings), 2 usage or config error.
`;

function parseRuleFlags(values: string[]): Record<string, Severity> {
  const out: Record<string, Severity> = {};
  for (const v of values) {
    const m = /^([a-z0-9-]+):(off|warn|error)$/.exec(v.trim());
    if (!m?.[1] || !m[2]) throw new UsageError(`--rule expects ID:LEVEL with LEVEL off, warn or error; got "${v}"`);
    out[m[1]] = m[2] as Severity;
  }
  return out;
}

const SUBCOMMANDS: Record<string, () => Promise<{ run: (args: string[], io: CliIO) => Promise<number> }>> = {
  check: () => import("./commands/check.js"),
  explain: () => import("./commands/explain.js"),
  generate: () => import("./commands/generate.js"),
  init: () => import("./commands/init.js"),
  map: () => import("./commands/map.js"),
};

/** Runs the command line; returns the exit code. Never throws. */
export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  try {
    const sub = argv[0] !== undefined ? SUBCOMMANDS[argv[0]] : undefined;
    if (sub) return await (await sub()).run(argv.slice(1), io);
    return await runLint(argv, io);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr(`oidclint: ${visible(e.message)}\n${e.details.map((d) => `  ${visible(d)}\n`).join("")}`);
      return 2;
    }
    if (e instanceof UsageError) {
      const name = e.command ? `oidclint ${e.command}` : "oidclint";
      io.stderr(`${name}: ${visible(e.message)}\nRun \`${name} --help\` for usage and examples.\n`);
      return 2;
    }
    if (e instanceof BaselineError) {
      io.stderr(`oidclint: ${visible(e.message)}\n`);
      return 2;
    }
    io.stderr(`oidclint: internal error: ${visible((e as Error).message)}\n`);
    if (io.env.OIDCLINT_DEBUG) io.stderr(`${(e as Error).stack ?? ""}\n`);
    return 2;
  }
}

function readBaseline(file: string, name: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new BaselineError(
      `cannot read the baseline ${name} (${(e as NodeJS.ErrnoException).code ?? String(e)}); write one with --write-baseline ${name}`,
    );
  }
  return parseBaseline(text, name);
}

async function runLint(argv: string[], io: CliIO): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout(HELP);
    return 0;
  }
  const { values, positionals } = parseOptions(argv, {
    format: { type: "string", short: "f" },
    config: { type: "string", short: "c" },
    rule: { type: "string", multiple: true },
    "max-warnings": { type: "string" },
    "max-per-rule": { type: "string" },
    quiet: { type: "boolean" },
    verbose: { type: "boolean", short: "v" },
    color: { type: "boolean" },
    "no-color": { type: "boolean" },
    stdin: { type: "boolean" },
    "stdin-filename": { type: "string" },
    context: { type: "string", multiple: true },
    online: { type: "boolean" },
    fix: { type: "boolean" },
    "fix-dry-run": { type: "boolean" },
    "output-file": { type: "string", short: "o" },
    "write-baseline": { type: "string" },
    baseline: { type: "string" },
    help: { type: "boolean", short: "h" },
    version: { type: "boolean", short: "V" },
  });
  // `oidclint explian x.yml`: a misspelt command, not a path that matches nothing.
  const first = positionals[0];
  const command = first && !existsSync(resolve(io.cwd, first)) ? nearest(first, Object.keys(SUBCOMMANDS)) : undefined;
  if (first && command) throw new UsageError(`unknown command "${first}" — did you mean ${command}?`);
  if (values.version) {
    io.stdout(`${version()}\n`);
    return 0;
  }
  const formatName = values.format ?? "stylish";
  const formatter = formatterFor(formatName);
  if (!formatter)
    throw new UsageError(`unknown format "${formatName}" (expected ${Object.keys(formatters).join(", ")})`);
  let maxWarnings = -1;
  if (values["max-warnings"] !== undefined) {
    maxWarnings = Number(values["max-warnings"]);
    if (!Number.isInteger(maxWarnings) || maxWarnings < -1)
      throw new UsageError(`--max-warnings expects a whole number, got "${values["max-warnings"]}"`);
  }
  const maxPerRule = Number(values["max-per-rule"] ?? DEFAULT_MAX_PER_RULE);
  if (!Number.isInteger(maxPerRule) || maxPerRule < 0)
    throw new UsageError(`--max-per-rule expects a whole number (0: no limit), got "${values["max-per-rule"]}"`);
  // --fix and baselines need every finding; the cap then applies to what is printed (below).
  const capLate =
    values.fix || values["fix-dry-run"] || values.baseline !== undefined || values["write-baseline"] !== undefined;
  // `--fix` alone caps the pass it prints itself, before that pass's messages are completed (same report).
  const capInFix =
    (values.fix === true || values["fix-dry-run"] === true) &&
    values.quiet !== true &&
    values.baseline === undefined &&
    values["write-baseline"] === undefined;
  if (values.stdin && !values["stdin-filename"])
    throw new UsageError("--stdin needs --stdin-filename NAME (the name decides how the input is read)");
  if (values.stdin && positionals.length > 0) throw new UsageError("--stdin takes no paths");
  if (values.stdin && (values.fix || values["fix-dry-run"]))
    throw new UsageError("--fix and --fix-dry-run edit files; they take no --stdin");

  if (values.baseline !== undefined && values["write-baseline"] !== undefined)
    throw new UsageError("give --baseline or --write-baseline, not both");
  const known =
    values.baseline === undefined ? undefined : readBaseline(resolve(io.cwd, values.baseline), values.baseline);
  const ruleOverrides = parseRuleFlags(values.rule ?? []);
  const needsFingerprints =
    formatName === "json" ||
    formatName === "sarif" ||
    values.baseline !== undefined ||
    values["write-baseline"] !== undefined ||
    io.onReport !== undefined;
  const stdinSource = values.stdin ? await io.readStdin() : undefined;
  const lintOptions: LintOptions = {
    cwd: io.cwd,
    ...(values.config ? { configFile: values.config } : {}),
    ruleOverrides,
    online: values.online ?? false,
    env: io.env,
    paths: positionals,
    ...(stdinSource !== undefined
      ? { stdin: { text: stdinSource, filename: values["stdin-filename"] ?? "stdin" } }
      : {}),
    ...(values.context ? { contextPaths: values.context } : {}),
    ...(capLate ? {} : { maxPerRule }),
    // Only json and sarif print fingerprints; baselines and the Action's report (`onReport`) read them.
    ...(needsFingerprints ? {} : { fingerprints: false }),
    tuneCollector: true,
  };
  const report =
    values.fix || values["fix-dry-run"]
      ? await runFix(lintOptions, values["fix-dry-run"] === true, io, capInFix ? maxPerRule : 0)
      : await lint(lintOptions);
  if (values.quiet) {
    for (const r of report.results) {
      r.messages = r.messages.filter((m) => m.severity === 2);
      r.warningCount = 0;
    }
    report.warningCount = 0;
  }
  const notes: string[] = [];
  if (report.onlineFailures) {
    notes.push(
      `--online: ${report.onlineFailures.length} GitHub API lookup(s) failed; those repositories were not checked: ${report.onlineFailures.join("; ")}`,
    );
  }
  if (known) {
    const hidden = applyBaseline(report, known);
    if (hidden > 0) notes.push(`${hidden} problem(s) recorded in ${values.baseline ?? ""} not shown`);
  }
  if (values["write-baseline"] !== undefined) {
    const root = repositoryRoot(io.cwd);
    const file = resolve(io.cwd, values["write-baseline"]);
    const baseline = baselineOf(report, (abs) => pathUnderRoot(root, io.cwd, abs) ?? abs);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(baseline, null, 2)}\n`);
    io.stderr(
      `oidclint: recorded ${baseline.findings.length} problem(s) in ${visible(values["write-baseline"])}; run with --baseline ${visible(values["write-baseline"])} to report only new ones\n`,
    );
  }
  if (capLate && !capInFix) {
    const root = repositoryRoot(io.cwd);
    capReport(report, maxPerRule, (m, abs) => {
      if (needsFingerprints) m.fingerprint = moreFindingsFingerprint(m.ruleId, pathUnderRoot(root, io.cwd, abs) ?? abs);
    });
  }
  // stylish prints the notes under its summary; other formats keep stdout machine-readable.
  if (formatName !== "stylish") for (const note of notes) io.stderr(`oidclint: ${visible(note)}\n`);
  let color: boolean | undefined;
  const stdinText = values.stdin ? stdinSource : undefined;
  const meta: FormatMeta = {
    cwd: io.cwd,
    // Whether standard output is a terminal is asked only by a format that may colour (`CliIO.isTTY`).
    get color() {
      return (color ??= useColor(values["no-color"] ? false : values.color, io, values["output-file"] !== undefined));
    },
    rules,
    version: version(),
    verbose: values.verbose ?? false,
    notes,
    readSource(file) {
      if (stdinText !== undefined) return stdinText;
      return readTextFile(file);
    },
  };
  const text = formatter(report, meta);
  if (values["output-file"]) {
    const out = resolve(io.cwd, values["output-file"]);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
  }
  // `--fix-dry-run` prints the diff on stdout: the report of what is left goes only to --output-file.
  else if (!values["fix-dry-run"]) io.stdout(text);
  io.onReport?.(report, meta);
  // A rule that threw: the other rules' findings are printed above, but the check is incomplete.
  for (const r of report.ruleErrors ?? []) io.stderr(`oidclint: ${visible(ruleErrorText(r))}\n`);
  if (report.ruleErrors) return 2;
  if (values["write-baseline"] !== undefined) return 0;
  if (report.errorCount > 0) return 1;
  if (maxWarnings >= 0 && report.warningCount > maxWarnings) {
    io.stderr(`oidclint found too many warnings (${report.warningCount}, maximum allowed is ${maxWarnings}).\n`);
    return 1;
  }
  return 0;
}

/** `--fix` / `--fix-dry-run` (src/fix/apply.ts): the report of what is left after fixing. */
async function runFix(options: LintOptions, dryRun: boolean, io: CliIO, shownPerRule: number): Promise<LintReport> {
  const { lintAndFix } = await import("./fix/apply.js");
  const { unifiedDiff } = await import("./fix/diff.js");
  const outcome = await lintAndFix(options, dryRun, shownPerRule);
  const rel = (file: string): string => relative(io.cwd, file).split(sep).join("/");
  if (dryRun) for (const c of outcome.changed) io.stdout(unifiedDiff(rel(c.file), c.before, c.after));
  if (outcome.changed.length > 0) {
    const files = outcome.changed.length === 1 ? "1 file" : `${outcome.changed.length} files`;
    io.stderr(
      `oidclint: ${dryRun ? "would fix" : "fixed"} ${outcome.applied} problem${outcome.applied === 1 ? "" : "s"} in ${files}\n`,
    );
  }
  return outcome.report;
}
