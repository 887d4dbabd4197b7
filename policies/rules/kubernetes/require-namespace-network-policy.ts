import { resourcesOfType, type BuildfarmStackPolicy } from "../lib/policy";
import { namespaceOf } from "../lib/k8s";
import { asRecord } from "../lib/props";
import { K8S } from "../lib/types";
import { workloadNamespaces } from "../limits/require-k8s-namespace-quota";

export const requireNamespaceNetworkPolicy: BuildfarmStackPolicy = {
  name: "buildfarm-k8s-network-policy",
  description: "Every Kubernetes namespace that runs workloads has at least one NetworkPolicy.",
  remediationSteps:
    "Add a networking.k8s.io/v1 NetworkPolicy per namespace: deny by default and allow the BuildKit gRPC port only from CI runners " +
    "and the metrics port only from Prometheus.",
  validateStack: (args, reportViolation) => {
    const namespaces = workloadNamespaces(args);
    if (namespaces.size === 0) args.notApplicable("no Kubernetes workloads in this stack");
    const covered = new Set(resourcesOfType(args, [K8S.networkPolicy]).map((r) => namespaceOf(asRecord(r.props) ?? {})));
    for (const [namespace, urn] of [...namespaces].sort()) {
      if (!covered.has(namespace)) reportViolation(`namespace "${namespace}" runs workloads but has no NetworkPolicy`, urn);
    }
  },
};
