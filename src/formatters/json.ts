import type { Formatter } from "./types.js";

/** ESLint's JSON format: an array of `{ filePath, messages, errorCount, warningCount }`. */
export const json: Formatter = (report) => JSON.stringify(report.results);
