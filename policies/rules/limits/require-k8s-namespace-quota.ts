import type { StackValidationArgs } from "@pulumi/policy";
import { resourcesOfType, type BuildfarmStackPolicy } from "../lib/policy";
import { namespaceOf } from "../lib/k8s";
import { asRecord } from "../lib/props";
import { K8S, K8S_WORKLOAD_TYPES } from "../lib/types";

/** Namespaces that run workloads, each with the URN of its first workload. */
export function workloadNamespaces(args: StackValidationArgs): Map<string, string> {
  const namespaces = new Map<string, string>();
  for (const workload of resourcesOfType(args, K8S_WORKLOAD_TYPES)) {
    const namespace = namespaceOf(asRecord(workload.props) ?? {});
    if (!namespaces.has(namespace)) namespaces.set(namespace, workload.urn);
  }
  return namespaces;
}

function namespacesWith(args: StackValidationArgs, type: string): Set<string> {
  return new Set(resourcesOfType(args, [type]).map((r) => namespaceOf(asRecord(r.props) ?? {})));
}

export const requireK8sNamespaceQuota: BuildfarmStackPolicy = {
  name: "buildfarm-k8s-namespace-quota",
  description: "Every Kubernetes namespace that runs build workloads has a ResourceQuota and a LimitRange.",
  remediationSteps:
    "Create a core/v1 ResourceQuota (caps the namespace's total cpu, memory, ephemeral-storage, pods) and a LimitRange " +
    "(defaults and maxima per container) in each namespace the stack deploys workloads to.",
  validateStack: (args, reportViolation) => {
    const namespaces = workloadNamespaces(args);
    if (namespaces.size === 0) args.notApplicable("no Kubernetes workloads in this stack");
    const quotas = namespacesWith(args, K8S.resourceQuota);
    const limitRanges = namespacesWith(args, K8S.limitRange);
    for (const [namespace, urn] of [...namespaces].sort()) {
      if (!quotas.has(namespace)) reportViolation(`namespace "${namespace}" runs workloads but has no ResourceQuota`, urn);
      if (!limitRanges.has(namespace)) reportViolation(`namespace "${namespace}" runs workloads but has no LimitRange`, urn);
    }
  },
};
