import { defineRule } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    id: "broad-sub-wildcard",
    severity: "error",
    description: "Sub pattern admits repositories (or refs) it should not",
    inputs: ["policy"],
    messages: {},
  },
  check() {
    // Placeholder: implemented by its issue.
  },
});
