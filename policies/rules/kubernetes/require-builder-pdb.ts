import { resourcesOfType, type BuildfarmStackPolicy } from "../lib/policy";
import { isBuilderWorkload, namespaceOf, podTemplateOf, selectorMatches } from "../lib/k8s";
import { asRecord, at } from "../lib/props";
import { K8S, K8S_BATCH_TYPES, K8S_WORKLOAD_TYPES } from "../lib/types";

export const requireBuilderPdb: BuildfarmStackPolicy = {
  name: "buildfarm-k8s-builder-pdb",
  description: "Every BuildKit builder pool (a workload running moby/buildkit) is covered by a PodDisruptionBudget in its namespace.",
  remediationSteps:
    "Add a policy/v1 PodDisruptionBudget whose selector matches the builder pods' labels, with maxUnavailable: 1 (or minAvailable). " +
    "buildkitd does not wait for running builds when evicted, so node drains must go one builder at a time.",
  validateStack: (args, reportViolation) => {
    const builders = resourcesOfType(args, K8S_WORKLOAD_TYPES.filter((t) => !K8S_BATCH_TYPES.includes(t))).filter((r) => {
      const pod = podTemplateOf(r.type, asRecord(r.props) ?? {});
      return pod !== undefined && isBuilderWorkload(pod);
    });
    if (builders.length === 0) args.notApplicable("no BuildKit workloads in this stack");
    const budgets = resourcesOfType(args, [K8S.podDisruptionBudget]).map((r) => asRecord(r.props) ?? {});
    for (const builder of builders) {
      const props = asRecord(builder.props) ?? {};
      const pod = podTemplateOf(builder.type, props);
      const labels = asRecord(at(pod?.metadata, "labels")) ?? {};
      const namespace = namespaceOf(props);
      const covered = budgets.some((pdb) => {
        const hasBudget = at(pdb, "spec", "minAvailable") !== undefined || at(pdb, "spec", "maxUnavailable") !== undefined;
        return namespaceOf(pdb) === namespace && hasBudget && selectorMatches(at(pdb, "spec", "selector"), labels);
      });
      if (!covered) reportViolation(`builder pool "${builder.name}" in namespace "${namespace}" has no PodDisruptionBudget selecting its pods`, builder.urn);
    }
  },
};
