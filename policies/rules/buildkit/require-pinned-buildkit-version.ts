import { BUILDKIT_VERSION } from "../../../lib/versions";
import { environmentConfigSchema, environmentOf, forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { isBuildkitImage, parseImage } from "../lib/buildkit";
import { containersOf, podTemplateOf } from "../lib/k8s";
import { asString, type Props } from "../lib/props";
import { COMPONENT, DOCKER, K8S_WORKLOAD_TYPES } from "../lib/types";

const PINNED = /^v\d+\.\d+\.\d+$/;

/** BuildKit images referenced by a resource (host components carry `version` instead). */
function buildkitImages(type: string, props: Props): string[] {
  if (type === DOCKER.container) return [asString(props["image"]) ?? ""].filter(isBuildkitImage);
  if (type === DOCKER.remoteImage) return [asString(props["name"]) ?? ""].filter(isBuildkitImage);
  const pod = podTemplateOf(type, props);
  if (!pod) return [];
  return containersOf(pod).map((c) => asString(c.container["image"]) ?? "").filter(isBuildkitImage);
}

export const requirePinnedBuildkitVersion: BuildfarmResourcePolicy = {
  name: "buildfarm-buildkit-version-pinned",
  description: `BuildKit is pinned to a release tag, and in prod to the manifest's stable version (${BUILDKIT_VERSION}, lib/versions.ts).`,
  remediationSteps:
    `Set buildfarm:buildkit.version to a release tag like "${BUILDKIT_VERSION}" and images to moby/buildkit:${BUILDKIT_VERSION}[-rootless] ` +
    "(or a digest). Prod runs exactly the version in lib/versions.ts; upgrade it there, after testing against the cache store.",
  configSchema: environmentConfigSchema,
  validateResource: forTypes([COMPONENT.buildkitHost, DOCKER.container, DOCKER.remoteImage, ...K8S_WORKLOAD_TYPES], (props, args, reportViolation) => {
    const prod = environmentOf(props, args.getConfig()) === "prod";
    if (args.type === COMPONENT.buildkitHost) {
      const version = asString(props["version"]);
      if (version === undefined || !PINNED.test(version)) reportViolation(`BuildKit version ${JSON.stringify(version ?? null)} is not a pinned release tag like "${BUILDKIT_VERSION}"`);
      else if (prod && version !== BUILDKIT_VERSION) reportViolation(`BuildKit ${version} in prod differs from the manifest's stable ${BUILDKIT_VERSION}`);
      return;
    }
    const images = buildkitImages(args.type, props);
    if (images.length === 0) args.notApplicable("no BuildKit image");
    for (const image of images) {
      const { tag, digest } = parseImage(image);
      if (digest) continue;
      const version = tag?.replace(/-rootless$/, "");
      if (version === undefined || !PINNED.test(version)) reportViolation(`BuildKit image ${image} is not pinned to a release tag like ${BUILDKIT_VERSION}`);
      else if (prod && version !== BUILDKIT_VERSION) reportViolation(`BuildKit image ${image} in prod differs from the manifest's stable ${BUILDKIT_VERSION}`);
    }
  }),
};
