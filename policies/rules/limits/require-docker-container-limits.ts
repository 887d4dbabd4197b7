import { forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { asNumber, asString } from "../lib/props";
import { DOCKER } from "../lib/types";

export const requireDockerContainerLimits: BuildfarmResourcePolicy = {
  name: "buildfarm-docker-container-limits",
  description: "Every Docker container has a memory limit and a CPU limit.",
  remediationSteps: "Set `memory` (MB) and `cpus` (or `cpuQuota`) on the docker.Container; in the dev stack each service's limits come from its settings.",
  validateResource: forTypes([DOCKER.container], (props, _args, reportViolation) => {
    const name = asString(props["name"]) ?? "container";
    const memory = asNumber(props["memory"]);
    if (memory === undefined || memory <= 0) reportViolation(`${name} has no memory limit (set \`memory\` in MB)`);
    const cpus = asNumber(props["cpus"]);
    const cpuQuota = asNumber(props["cpuQuota"]);
    if (!(cpus !== undefined && cpus > 0) && !(cpuQuota !== undefined && cpuQuota > 0)) reportViolation(`${name} has no CPU limit (set \`cpus\` or \`cpuQuota\`)`);
  }),
};
