import { forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { containersOf, podTemplateOf } from "../lib/k8s";
import { K8S_BATCH_TYPES, K8S_WORKLOAD_TYPES } from "../lib/types";

export const requireProbes: BuildfarmResourcePolicy = {
  name: "buildfarm-k8s-probes",
  description: "Every long-running Kubernetes container has a readiness and a liveness probe (Jobs and CronJobs are exempt).",
  remediationSteps: "Add readinessProbe and livenessProbe; for buildkitd an exec probe running `buildctl debug workers` (as upstream's examples do) or a gRPC probe on the listener.",
  validateResource: forTypes(
    K8S_WORKLOAD_TYPES.filter((t) => !K8S_BATCH_TYPES.includes(t)),
    (props, args, reportViolation) => {
      const pod = podTemplateOf(args.type, props);
      if (!pod) return;
      for (const view of containersOf(pod, ["container"])) {
        const missing = ["readinessProbe", "livenessProbe"].filter((p) => view.container[p] === undefined || view.container[p] === null);
        if (missing.length > 0) reportViolation(`container "${view.name}" has no ${missing.join(" and no ")}`);
      }
    },
  ),
};
