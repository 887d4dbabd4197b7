// The plan harness: runs a stack program under Pulumi's mocks (no engine, no cloud) and records what it
// would register. Product code: `npm run plan` and the tests both use it.
export { mockCall, mockState } from "./mock-state";
export { redactSecretInputs, resolveDeep, SECRET_PLACEHOLDER } from "./resolve";
export { PROJECT, runStack, sortKeys, type RecordedResource, type RunOptions, type StackRun } from "./run-stack";
export { readStackFile, SECURE_PLACEHOLDER, stackConfigFromObject, type StackFileConfig } from "./stack-file";
