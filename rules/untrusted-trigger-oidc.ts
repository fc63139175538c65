import { defineRule } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    id: "untrusted-trigger-oidc",
    severity: "error",
    description: "id-token: write in a job reachable from an untrusted trigger",
    inputs: ["workflow"],
    messages: {},
  },
  check() {
    // Placeholder: implemented by its issue.
  },
});
