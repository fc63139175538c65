import { github } from "./github.js";
import { json } from "./json.js";
import { markdown } from "./markdown.js";
import { sarif } from "./sarif.js";
import { stylish } from "./stylish.js";
import type { Formatter } from "./types.js";

export type { Formatter, FormatMeta } from "./types.js";

/** Output formats by `--format` name. */
export const formatters = { stylish, json, sarif, github, markdown } as const satisfies Record<string, Formatter>;

export type FormatName = keyof typeof formatters;

/** The formatter of a `--format` name, or undefined for an unknown one. */
export function formatterFor(name: string): Formatter | undefined {
  return Object.hasOwn(formatters, name) ? formatters[name as FormatName] : undefined;
}
