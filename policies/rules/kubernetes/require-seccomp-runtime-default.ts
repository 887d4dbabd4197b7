import { forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { appArmorType, containersOf, isRootlessBuildkitd, podTemplateOf, seccompType } from "../lib/k8s";
import { K8S_WORKLOAD_TYPES } from "../lib/types";

const CONFINED = ["RuntimeDefault", "Localhost"];

export const requireSeccompRuntimeDefault: BuildfarmResourcePolicy = {
  name: "buildfarm-k8s-seccomp",
  description:
    "Every Kubernetes container runs with seccomp RuntimeDefault (or Localhost) and without an Unconfined AppArmor profile. " +
    "Exception: the rootless buildkitd container (moby/buildkit:*-rootless, non-root user, runAsNonRoot, not privileged, no added capabilities) may use Unconfined.",
  remediationSteps:
    "Set securityContext.seccompProfile.type: RuntimeDefault on the pod. Only the rootless BuildKit daemon may use Unconfined " +
    "seccomp/AppArmor, and only while it runs as a non-root user from the -rootless image; anything else must stay confined.",
  validateResource: forTypes(K8S_WORKLOAD_TYPES, (props, args, reportViolation) => {
    const pod = podTemplateOf(args.type, props);
    if (!pod) return;
    for (const view of containersOf(pod)) {
      const seccomp = seccompType(view);
      const appArmor = appArmorType(view);
      const exempt = isRootlessBuildkitd(view);
      if (!(seccomp !== undefined && CONFINED.includes(seccomp)) && !(seccomp === "Unconfined" && exempt)) {
        reportViolation(
          seccomp === "Unconfined"
            ? `${view.kind} "${view.name}" uses seccomp Unconfined; only a rootless buildkitd running as non-root may`
            : `${view.kind} "${view.name}" has no seccompProfile RuntimeDefault (got ${JSON.stringify(seccomp ?? null)})`,
        );
      }
      if (appArmor === "Unconfined" && !exempt) reportViolation(`${view.kind} "${view.name}" uses AppArmor Unconfined; only a rootless buildkitd running as non-root may`);
    }
  }),
};
