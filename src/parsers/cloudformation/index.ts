import { emptyParsed, type ParsedFile } from "../../model/project.js";
import type { ParseEnv, SourceFile } from "../source.js";

/** CloudFormation / SAM / CDK output: placeholder until the CloudFormation parser lands. */
export function parseCloudFormation(src: SourceFile, _env: ParseEnv): ParsedFile {
  return emptyParsed(src.path, "cloudformation");
}
