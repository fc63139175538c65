import type { ProgramModule } from "./ir.js";
export function lowerPython(file: string, text: string): ProgramModule {
  return { file, text, language: "python", body: [], exports: "all" };
}
