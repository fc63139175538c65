import { describe, expect, it } from "vitest";
import { mayBeInput } from "../src/parsers/index.js";

describe("terraform: files no module could select are dropped once read", () => {
  it.each([
    ["main.tf", 'resource "aws_iam_role" "ci" {}\n', true],
    ["oidc.tf", 'module "gh" {\n  source = "unfunco/oidc-github/aws"\n}\n', true],
    ["calls.tf", 'module "x" {\n  source = "../modules/x"\n}\n', true],
    ["variables.tf", 'variable "org" {}\n', true],
    ["locals.tf", "locals {\n  a = 1\n}\n", true],
    ["templates.tf", 'data "template_file" "t" {}\n', true],
    ["main.tf.json", '{"module": {"x": {"source": "./x"}}}', true],
    ["terraform.tfvars", 'org = "acme"\n', true],
    ["prod.auto.tfvars.json", '{"org": "acme"}', true],
    ["outputs.tf", 'output "bucket" {\n  value = aws_s3_bucket.state.id\n}\n', false],
    ["versions.tf", 'terraform {\n  required_version = ">= 1.5"\n}\n', false],
    ["registry.tf", 'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n', false],
    ["prod.tfvars", 'org = "acme"\n', false],
    ["empty.tf", "", false],
  ])("%s: %s → %s", (path, text, kept) => {
    expect(mayBeInput(path, text)).toBe(kept);
  });
});
