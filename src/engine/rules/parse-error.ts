import { defineRule } from "../rule.js";

/**
 * Reported by the engine, not by a check: when a parser cannot read a file of a kind oidclint lints, its
 * problem becomes this finding at the position the parser gave, and the run goes on with the other files.
 */
export default defineRule({
  meta: {
    id: "parse-error",
    severity: "error",
    description: "File of a recognised kind that cannot be parsed",
    inputs: [],
    messages: { unparsable: "{{message}}" },
  },
  check() {
    // Findings come from the parsers, reported by the engine (src/engine/lint.ts).
  },
});
