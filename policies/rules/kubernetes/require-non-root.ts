import { forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { containersOf, effectiveSecurity, podTemplateOf } from "../lib/k8s";
import { K8S_WORKLOAD_TYPES } from "../lib/types";

export const requireNonRoot: BuildfarmResourcePolicy = {
  name: "buildfarm-k8s-non-root",
  description: "Every Kubernetes container runs as non-root: runAsNonRoot true and runAsUser not 0 (Pod Security restricted).",
  remediationSteps: "Set securityContext.runAsNonRoot: true and a non-zero runAsUser on the pod or on each container (the rootless BuildKit image runs as 1000).",
  validateResource: forTypes(K8S_WORKLOAD_TYPES, (props, args, reportViolation) => {
    const pod = podTemplateOf(args.type, props);
    if (!pod) return;
    for (const view of containersOf(pod)) {
      const user = effectiveSecurity(view, "runAsUser");
      if (user === 0 || user === "0") reportViolation(`${view.kind} "${view.name}" runs as root (runAsUser 0)`);
      else if (effectiveSecurity(view, "runAsNonRoot") !== true) reportViolation(`${view.kind} "${view.name}" does not set runAsNonRoot: true`);
    }
  }),
};
