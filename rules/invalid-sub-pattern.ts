import { defineRule } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    id: "invalid-sub-pattern",
    severity: "error",
    description: "Sub value that no token GitHub issues can ever match",
    inputs: ["policy"],
    messages: {},
  },
  check() {
    // Placeholder: implemented by its issue.
  },
});
