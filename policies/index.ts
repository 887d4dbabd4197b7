import { PolicyPack } from "@pulumi/policy";
import { buildfarmPolicies, PACK_DESCRIPTION, PACK_ENFORCEMENT_LEVEL, PACK_NAME } from "./rules";

// Only the pack lives here: constructing it starts the analyzer's gRPC server.
// Per-stack enforcement comes from `--policy-pack-config policies/config/<stack>.json`.
new PolicyPack(PACK_NAME, {
  description: PACK_DESCRIPTION,
  enforcementLevel: PACK_ENFORCEMENT_LEVEL,
  policies: [...buildfarmPolicies],
});
