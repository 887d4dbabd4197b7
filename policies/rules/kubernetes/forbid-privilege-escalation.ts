import { forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { containersOf, isRootlessBuildkitd, podTemplateOf } from "../lib/k8s";
import { at } from "../lib/props";
import { K8S_WORKLOAD_TYPES } from "../lib/types";

export const forbidPrivilegeEscalation: BuildfarmResourcePolicy = {
  name: "buildfarm-k8s-no-privilege-escalation",
  description:
    "No Kubernetes container is privileged or may escalate privileges (allowPrivilegeEscalation: false). " +
    "Exception: the rootless buildkitd container (moby/buildkit:*-rootless, non-root, not privileged) may escalate, for its setuid newuidmap/newgidmap.",
  remediationSteps: "Set securityContext.allowPrivilegeEscalation: false and remove privileged: true. Use the rootless BuildKit image instead of a privileged daemon.",
  validateResource: forTypes(K8S_WORKLOAD_TYPES, (props, args, reportViolation) => {
    const pod = podTemplateOf(args.type, props);
    if (!pod) return;
    for (const view of containersOf(pod)) {
      if (at(view.container, "securityContext", "privileged") === true) reportViolation(`${view.kind} "${view.name}" is privileged`);
      if (at(view.container, "securityContext", "allowPrivilegeEscalation") !== false && !isRootlessBuildkitd(view)) reportViolation(`${view.kind} "${view.name}" does not set allowPrivilegeEscalation: false`);
    }
  }),
};
