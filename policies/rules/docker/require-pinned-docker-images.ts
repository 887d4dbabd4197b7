import { forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { unpinnedReason } from "../lib/buildkit";
import { asString } from "../lib/props";
import { DOCKER } from "../lib/types";

export const requirePinnedDockerImages: BuildfarmResourcePolicy = {
  name: "buildfarm-docker-image-pinned",
  description: "Every Docker image (RemoteImage name, Container image) is pinned to a version tag, a digest or an image ID.",
  remediationSteps: "Use repo:1.2.3 or repo@sha256:… (the dev stack's images come from one pinned list); never latest or an untagged name.",
  validateResource: forTypes([DOCKER.container, DOCKER.remoteImage], (props, args, reportViolation) => {
    const image = asString(props[args.type === DOCKER.remoteImage ? "name" : "image"]);
    // A container's image is often a RemoteImage's imageId: unknown until deploy, then a sha256 ID.
    // The RemoteImage's own name is checked instead.
    if (image === undefined && args.type === DOCKER.container) args.notApplicable("image is computed (a RemoteImage's imageId)");
    const reason = image === undefined ? "no image name" : unpinnedReason(image);
    if (reason) reportViolation(reason);
  }),
};
