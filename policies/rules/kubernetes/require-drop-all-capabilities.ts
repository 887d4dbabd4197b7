import { forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { containersOf, isRootlessBuildkitd, podTemplateOf, ROOTLESS_BUILDKITD_CAPABILITIES } from "../lib/k8s";
import { asStrings, at } from "../lib/props";
import { K8S_WORKLOAD_TYPES } from "../lib/types";

/** The only capability Pod Security "restricted" lets a container add back. */
const ALLOWED_ADD = ["NET_BIND_SERVICE"];

export const requireDropAllCapabilities: BuildfarmResourcePolicy = {
  name: "buildfarm-k8s-drop-all-capabilities",
  description:
    "Every Kubernetes container drops ALL capabilities and adds back nothing but NET_BIND_SERVICE " +
    "(the rootless buildkitd container also SETUID and SETGID, for its setuid newuidmap/newgidmap).",
  remediationSteps: "Set securityContext.capabilities.drop: [\"ALL\"] on each container, and remove capabilities.add entries other than NET_BIND_SERVICE.",
  validateResource: forTypes(K8S_WORKLOAD_TYPES, (props, args, reportViolation) => {
    const pod = podTemplateOf(args.type, props);
    if (!pod) return;
    for (const view of containersOf(pod)) {
      const drop = asStrings(at(view.container, "securityContext", "capabilities", "drop")).map((c) => c.toUpperCase());
      if (!drop.includes("ALL")) reportViolation(`${view.kind} "${view.name}" does not drop ALL capabilities`);
      const allowed = isRootlessBuildkitd(view) ? [...ALLOWED_ADD, ...ROOTLESS_BUILDKITD_CAPABILITIES] : ALLOWED_ADD;
      const added = asStrings(at(view.container, "securityContext", "capabilities", "add")).filter((c) => !allowed.includes(c.toUpperCase().replace(/^CAP_/, "")));
      if (added.length > 0) reportViolation(`${view.kind} "${view.name}" adds capabilities ${added.join(", ")}`);
    }
  }),
};
