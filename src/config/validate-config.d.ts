// The config validator the build compiles from the rules' schema (scripts/build-config-validator.mjs) and writes
// next to load.js in dist/; there is no source of it here.
import type { ErrorObject } from "ajv";

declare const validate: { (data: unknown): boolean; errors?: ErrorObject[] | null };
export default validate;
/** The key of the rule set the validator was compiled for (`configSchemaKey`). */
export declare const schemaKey: string;
