import { forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { unpinnedReason } from "../lib/buildkit";
import { containersOf, podTemplateOf } from "../lib/k8s";
import { asString } from "../lib/props";
import { K8S_WORKLOAD_TYPES } from "../lib/types";

export const requirePinnedK8sImages: BuildfarmResourcePolicy = {
  name: "buildfarm-k8s-image-pinned",
  description: "Every Kubernetes container image is pinned to a version tag or a digest (never latest or no tag).",
  remediationSteps: "Reference images as repo:1.2.3 or repo@sha256:…; moving tags make rollouts irreproducible and let an upstream push change what runs.",
  validateResource: forTypes(K8S_WORKLOAD_TYPES, (props, args, reportViolation) => {
    const pod = podTemplateOf(args.type, props);
    if (!pod) return;
    for (const view of containersOf(pod)) {
      const image = asString(view.container["image"]);
      const reason = image === undefined ? "no image" : unpinnedReason(image);
      if (reason) reportViolation(`${view.kind} "${view.name}": ${reason}`);
    }
  }),
};
