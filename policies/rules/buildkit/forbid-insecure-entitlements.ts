import { environmentConfigSchema, environmentOf, forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { buildkitView } from "../lib/buildkit";
import { COMPONENT } from "../lib/types";

export const forbidInsecureEntitlements: BuildfarmResourcePolicy = {
  name: "buildfarm-buildkit-no-insecure-entitlements",
  description: "No buildkitd in prod allows insecure entitlements (security.insecure, network.host, device).",
  remediationSteps:
    "Remove buildkitd.insecureEntitlements from every prod host. `security.insecure` runs build steps privileged on the host; " +
    "builds needing it belong on a separate, non-production builder.",
  configSchema: environmentConfigSchema,
  validateResource: forTypes([COMPONENT.buildkitHost], (props, args, reportViolation) => {
    if (environmentOf(props, args.getConfig()) !== "prod") args.notApplicable("only enforced in prod");
    const entitlements = buildkitView(props).insecureEntitlements;
    if (entitlements.length > 0) reportViolation(`insecure entitlements allowed in prod: ${entitlements.join(", ")}`);
  }),
};
