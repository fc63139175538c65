import type { ParsedFile } from "../../model/project.js";
import type { SourceFile } from "../source.js";
export function parsePulumiYaml(_src: SourceFile): ParsedFile | undefined {
  return undefined;
}
