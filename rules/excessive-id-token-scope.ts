import { defineRule } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    id: "excessive-id-token-scope",
    severity: "warn",
    description: "id-token: write granted at workflow level when not every job needs it",
    inputs: ["workflow"],
    messages: {},
  },
  check() {
    // Placeholder: implemented by its issue.
  },
});
