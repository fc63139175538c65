import { github } from "./github.js";
import { json } from "./json.js";
import { sarif } from "./sarif.js";
import { stylish } from "./stylish.js";
import type { Formatter } from "./types.js";

export type { Formatter, FormatMeta } from "./types.js";

/** Output formats by `--format` name. */
export const formatters: Record<string, Formatter> = { stylish, json, sarif, github };
