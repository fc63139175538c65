import { defineRule } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    id: "stale-repo-path",
    severity: "error",
    description: "Sub condition names a repository that is not in the inventory",
    inputs: ["policy"],
    messages: {},
  },
  check() {
    // Placeholder: implemented by its issue.
  },
});
