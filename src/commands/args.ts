import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { editDistance } from "../analysis/edit-distance.js";

/**
 * A mistake on the command line: exit 2 with the message and a pointer to the command's `--help`.
 * `command` is the subcommand (`check`, `explain` …), absent for the lint command.
 */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

/** The candidate closest to `typed`, if it is close enough to be a typo. */
export function nearest(typed: string, candidates: Iterable<string>): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const d = editDistance(typed, name);
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.max(1, Math.floor(typed.length / 3)) ? best.name : undefined;
}

/** The known option closest to what was typed (`--fromat`, `-x`, `--polcy=a.json`). */
function suggestion(typed: string, options: ParseArgsOptionsConfig): string | undefined {
  const name = typed.replace(/^-+/, "").split("=")[0] ?? "";
  const byShort = Object.entries(options).find(([, spec]) => spec.short === name)?.[0];
  const long = byShort ?? nearest(name, Object.keys(options));
  return long === undefined ? undefined : `--${long}`;
}

/** How many positional arguments a command takes, and what they are (for the message when the count is wrong). */
export interface Positionals {
  min?: number;
  max?: number;
  /** What one is, for messages: "workflow file". */
  what: string;
}

export interface CommandSpec<T extends ParseArgsOptionsConfig> {
  /** The subcommand, absent for the lint command. */
  command?: string;
  options: T;
  /** Positional arguments; absent: none. */
  positionals?: Positionals;
  /** Said after a wrong number of arguments: "the policy is --policy FILE". */
  hint?: string;
}

/**
 * Node's `parseArgs`, with every mistake said in oidclint's words (a `UsageError`, exit 2): an unknown option
 * names the nearest known one, a missing value says which option needs it, an argument a command does not take
 * says what it takes. Never Node's own text.
 */
export function parseOptions<T extends ParseArgsOptionsConfig>(
  args: string[],
  options: T,
  spec: Omit<CommandSpec<T>, "options"> = { positionals: { what: "path" } },
) {
  const { command, positionals: takes } = spec;
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    const code = (e as { code?: string }).code ?? "";
    const message = (e as Error).message;
    const flag = /'(?:-\w, )?(--?[\w-]+)/.exec(message)?.[1] ?? "";
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const near = suggestion(flag, options);
      throw new UsageError(`unknown option ${flag}${near ? ` — did you mean ${near}?` : ""}`, command);
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      if (/argument missing/.test(message)) throw new UsageError(`${flag} needs a value`, command);
      if (/ambiguous/.test(message))
        throw new UsageError(`${flag} needs a value; for one that starts with "-", write ${flag}=VALUE`, command);
      throw new UsageError(`${flag} takes no value`, command);
    }
    throw new UsageError(message.split("\n")[0] ?? message, command);
  }
  const count = parsed.positionals.length;
  const min = takes?.min ?? 0;
  const max = takes === undefined ? 0 : (takes.max ?? Infinity);
  const what = (n: number): string => `${takes?.what ?? "argument"}${n === 1 ? "" : "s"}`;
  if (count > max) {
    const extra = parsed.positionals[max] ?? "";
    const limit =
      max === 0
        ? `${command ? `oidclint ${command}` : "this command"} takes no ${what(2)}`
        : `give at most ${max} ${what(max)}`;
    throw new UsageError(`unexpected argument "${extra}": ${limit}${spec.hint ? ` (${spec.hint})` : ""}`, command);
  }
  if (count < min)
    throw new UsageError(`give ${min === 1 ? "a" : min} ${what(min)}${spec.hint ? ` (${spec.hint})` : ""}`, command);
  return parsed;
}

/** Whether the arguments ask for help (before anything else is checked: `check --help --bogus` still helps). */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

/** The options `check` and `explain` share: how to print, what else to read, which config. */
export const DIAGNOSTIC_OPTIONS = {
  format: { type: "string", short: "f" },
  context: { type: "string", multiple: true },
  config: { type: "string", short: "c" },
  "no-color": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsOptionsConfig;

/** `--format` of `check` and `explain`: `text` (default) or `json`. */
export function textOrJson(format: string | undefined, command: string): "text" | "json" {
  const f = format ?? "text";
  if (f !== "text" && f !== "json") throw new UsageError(`unknown format "${f}" (expected text or json)`, command);
  return f;
}
