import { emptyParsed, type ParsedFile } from "../../model/project.js";
import type { ParseEnv, SourceFile } from "../source.js";

/** `terraform show -json` output: placeholder until the Terraform parser lands. */
export function parseTerraformPlan(src: SourceFile, _env: ParseEnv): ParsedFile {
  return emptyParsed(src.path, "terraform-plan");
}
