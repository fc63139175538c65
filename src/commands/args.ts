import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { editDistance } from "../analysis/edit-distance.js";

/** A mistake on the command line: exit 2 with the message and a pointer to `--help`. */
export class UsageError extends Error {}

/** The known option closest to what was typed, if it is close enough to be a typo. */
function suggestion(typed: string, options: ParseArgsOptionsConfig): string | undefined {
  const name = typed.replace(/^-+/, "").split("=")[0] ?? "";
  let best: { flag: string; d: number } | undefined;
  for (const [long, spec] of Object.entries(options)) {
    const d = Math.min(editDistance(name, long), spec.short !== undefined && name === spec.short ? 0 : Infinity);
    if (!best || d < best.d) best = { flag: long, d };
  }
  if (!best) return undefined;
  return best.d <= Math.max(1, Math.floor(name.length / 3)) ? `--${best.flag}` : undefined;
}

/**
 * Node's `parseArgs`, with its errors said in oidclint's words: an unknown option names the nearest known
 * one, a missing value says which option needs it.
 */
export function parseOptions<T extends ParseArgsOptionsConfig>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    const code = (e as { code?: string }).code ?? "";
    const message = (e as Error).message;
    const flag = /'(?:-\w, )?(--?[\w-]+)/.exec(message)?.[1] ?? "";
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const near = suggestion(flag, options);
      throw new UsageError(`unknown option ${flag}${near ? ` — did you mean ${near}?` : ""}`);
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      throw new UsageError(/argument missing/.test(message) ? `${flag} needs a value` : `${flag} takes no value`);
    }
    throw e;
  }
}
