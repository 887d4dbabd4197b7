import type { BuildkitHostSettings } from "../buildkit-host/args";
import { PINNED_FRONTEND_PATTERN, type ProductionBuilderSettings } from "./args";

/** One problem, with its path relative to the `productionBuilder` config key. */
export interface ProductionProblem {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

/** Hardening every production host must keep; collects every violation of one host. */
export function productionHostProblems(host: BuildkitHostSettings, index: number): ProductionProblem[] {
  const problems: ProductionProblem[] = [];
  const at = (...rest: Array<string | number>) => ["hosts", index, ...rest];
  const buildkitd = host.buildkitd;
  if (!buildkitd.worker.rootless) problems.push({ path: at("buildkitd", "worker", "rootless"), message: "expected true: production builders run rootless" });
  if (buildkitd.worker.noProcessSandbox) problems.push({ path: at("buildkitd", "worker", "noProcessSandbox"), message: "expected false: production builders keep the process sandbox" });
  if (buildkitd.insecureEntitlements.length > 0) {
    problems.push({ path: at("buildkitd", "insecureEntitlements"), message: `expected no insecure entitlements on a production builder, got ${JSON.stringify(buildkitd.insecureEntitlements)}` });
  }
  if (buildkitd.grpc.tcpAddress !== undefined && buildkitd.tls.mode === "none") {
    problems.push({ path: at("buildkitd", "tls", "mode"), message: `expected "generate" or "supplied": the TCP listener ${buildkitd.grpc.tcpAddress} requires mTLS` });
  }
  if (buildkitd.allowedFrontends.length === 0) problems.push({ path: at("buildkitd", "allowedFrontends"), message: "expected at least one pinned Dockerfile frontend, got none" });
  buildkitd.allowedFrontends.forEach((frontend, i) => {
    if (!PINNED_FRONTEND_PATTERN.test(frontend)) {
      problems.push({ path: at("buildkitd", "allowedFrontends", i), message: `expected a pinned frontend like "docker/dockerfile:1.26.0" or "docker/dockerfile@sha256:<64 hex>", got ${JSON.stringify(frontend)}` });
    }
  });
  if (host.role !== "prod") problems.push({ path: at("role"), message: `expected "prod" on a production builder, got ${JSON.stringify(host.role)}` });
  return problems;
}

/** Every rule of the production builder section (hosts and gate), all at once. */
export function productionBuilderProblems(settings: ProductionBuilderSettings): ProductionProblem[] {
  const problems = settings.hosts.flatMap((host, i) => productionHostProblems(host, i));
  const gate = settings.gate;
  switch (gate.signing) {
    case "key":
      if (gate.cosignKey === undefined) problems.push({ path: ["gate", "cosignKey"], message: 'expected a cosign key reference when gate.signing is "key", got nothing' });
      if (gate.cosignPublicKey === undefined) problems.push({ path: ["gate", "cosignPublicKey"], message: 'expected a public key reference when gate.signing is "key", got nothing' });
      break;
    case "keyless":
      if (gate.certificateIdentity === undefined) problems.push({ path: ["gate", "certificateIdentity"], message: 'expected the signer identity when gate.signing is "keyless", got nothing' });
      break;
    default: {
      const unreachable: never = gate.signing;
      throw new Error(`unknown signing mode ${String(unreachable)}`);
    }
  }
  const bucket = settings.auditBucket;
  if (bucket.encryption === "sse-kms" && bucket.kmsKeyArn === undefined) problems.push({ path: ["auditBucket", "kmsKeyArn"], message: 'expected a KMS key ARN when auditBucket.encryption is "sse-kms", got nothing' });
  // S3 refuses lifecycle transitions to STANDARD_IA earlier than 30 days.
  if (bucket.transitionStorageClass === "STANDARD_IA" && bucket.transitionDays < 30) {
    problems.push({ path: ["auditBucket", "transitionDays"], message: `expected at least 30 days for a transition to STANDARD_IA, got ${bucket.transitionDays}` });
  }
  return problems;
}
