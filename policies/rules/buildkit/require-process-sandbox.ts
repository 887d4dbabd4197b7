import { environmentConfigSchema, environmentOf, forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { buildkitView } from "../lib/buildkit";
import { COMPONENT } from "../lib/types";

export const requireProcessSandbox: BuildfarmResourcePolicy = {
  name: "buildfarm-buildkit-process-sandbox",
  description: "No buildkitd in prod runs with noProcessSandbox (build steps would share the daemon's PID namespace).",
  remediationSteps:
    "Set buildkitd.worker.noProcessSandbox to false on prod hosts. Rootless hosts need user namespaces (subuid/subgid, newuidmap) " +
    "instead of disabling the sandbox.",
  configSchema: environmentConfigSchema,
  validateResource: forTypes([COMPONENT.buildkitHost], (props, args, reportViolation) => {
    if (environmentOf(props, args.getConfig()) !== "prod") args.notApplicable("only enforced in prod");
    if (buildkitView(props).noProcessSandbox) reportViolation("the OCI worker runs with noProcessSandbox = true in prod");
  }),
};
