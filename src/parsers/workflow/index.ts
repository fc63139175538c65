import { emptyParsed, type ParsedFile } from "../../model/project.js";
import type { ParseEnv, SourceFile } from "../source.js";

/** GitHub workflow: placeholder until the workflow parser lands. */
export function parseWorkflow(src: SourceFile, _env: ParseEnv): ParsedFile {
  return emptyParsed(src.path, "workflow");
}

/** Composite action (`action.yml`): placeholder until the workflow parser lands. */
export function parseAction(_src: SourceFile, _env: ParseEnv): ParsedFile | undefined {
  return undefined;
}
