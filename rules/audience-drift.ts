import { defineRule } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    id: "audience-drift",
    severity: "error",
    description: "Audience (aud) condition, provider client IDs and workflow audience disagree",
    inputs: ["policy", "provider", "workflow"],
    messages: {},
  },
  check() {
    // Placeholder: implemented by its issue.
  },
});
