import { forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { asString } from "../lib/props";
import { DOCKER } from "../lib/types";

export const forbidPrivilegedContainers: BuildfarmResourcePolicy = {
  name: "buildfarm-docker-no-privileged",
  description: "No Docker container runs privileged unless its name is allow-listed in this policy's config.",
  remediationSteps:
    "Remove `privileged: true`; rootless BuildKit needs only `--security-opt seccomp=unconfined --security-opt apparmor=unconfined`. " +
    "If a container truly needs it, list its name under allowPrivileged in the policy pack config and say why in review.",
  configSchema: {
    properties: {
      allowPrivileged: { type: "array", items: { type: "string" }, default: [], description: "Container names (the `name` prop or resource name) allowed to run privileged." },
    },
  },
  validateResource: forTypes([DOCKER.container], (props, args, reportViolation) => {
    if (props["privileged"] !== true) return;
    const name = asString(props["name"]) ?? args.name;
    const { allowPrivileged = [] } = args.getConfig<{ allowPrivileged?: string[] }>();
    if (allowPrivileged.includes(name) || allowPrivileged.includes(args.name)) return;
    reportViolation(`container ${name} runs privileged and is not in allowPrivileged`);
  }),
};
