import { defineRule } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    id: "missing-sub-condition",
    severity: "error",
    description: "Trust policy lets GitHub's OIDC provider in without a positive condition on the sub (or job_workflow_ref) claim",
    inputs: ["policy"],
    messages: {},
  },
  check() {
    // Placeholder: implemented by its issue.
  },
});
