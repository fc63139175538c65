import type { ParsedFile } from "../../model/project.js";
import type { ParseEnv, SourceFile } from "../source.js";

/** Terraform modules (`*.tf`, `*.tf.json`, `*.tfvars`): placeholder until the Terraform parser lands. */
export function parseTerraform(_files: SourceFile[], _env: ParseEnv): Promise<ParsedFile[]> {
  return Promise.resolve([]);
}
