import type { LineIndex } from "../../model/location.js";
import { parseHclFile, type HclResult } from "./hcl-body.js";
import { readRefusedFile } from "./hcl2json-fallback/index.js";

/**
 * The HCL front end: one entry for every `.tf` / `.tfvars` file. The TypeScript parser (`hcl-body.ts`)
 * reads the file; only a file it refuses goes to the `@cdktf/hcl2json` fallback (`hcl2json-fallback/`,
 * which loads Go WebAssembly and is slow to start), except nesting past the parser's limit, which HCL's
 * own parser would take unbounded time and memory on.
 */
export async function parseHcl(path: string, text: string, index: LineIndex): Promise<HclResult> {
  const own = parseHclFile(text);
  if ("body" in own) return own;
  if (own.problem.limit)
    return {
      problem: {
        message: `${own.problem.message}; oidclint cannot check the policies of this file.`,
        loc: index.span(own.problem.start, own.problem.end),
      },
    };
  return readRefusedFile(path, text, index, own.problem);
}
