import { forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { containersOf, podTemplateOf } from "../lib/k8s";
import { asRecord, at } from "../lib/props";
import { K8S_WORKLOAD_TYPES } from "../lib/types";

export const K8S_RESOURCE_NAMES = ["cpu", "memory", "ephemeral-storage"] as const;

export const requireK8sContainerResources: BuildfarmResourcePolicy = {
  name: "buildfarm-k8s-container-resources",
  description: "Every Kubernetes container (init containers included) sets requests and limits for cpu, memory and ephemeral-storage.",
  remediationSteps:
    "Add resources.requests and resources.limits with cpu, memory and ephemeral-storage to every container. BuildKit writes its " +
    "cache and build scratch to local disk: without an ephemeral-storage limit one build can evict its neighbours.",
  validateResource: forTypes(K8S_WORKLOAD_TYPES, (props, args, reportViolation) => {
    const pod = podTemplateOf(args.type, props);
    if (!pod) return;
    for (const view of containersOf(pod, ["initContainer", "container"])) {
      for (const field of ["requests", "limits"] as const) {
        const values = asRecord(at(view.container, "resources", field)) ?? {};
        const missing = K8S_RESOURCE_NAMES.filter((r) => values[r] === undefined || values[r] === null || values[r] === "");
        if (missing.length > 0) reportViolation(`${view.kind} "${view.name}" has no resources.${field} for ${missing.join(", ")}`);
      }
    }
  }),
};
