import { forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { isBuildkitImage, parseImage } from "../lib/buildkit";
import { asArray, asString, asStrings, at, type Props } from "../lib/props";
import { DOCKER } from "../lib/types";

/** `--security-opt` values that switch a confinement off, normalised to `key=value`. */
const UNCONFINING = ["seccomp=unconfined", "apparmor=unconfined", "systempaths=unconfined", "label=disable"];
/** What rootless BuildKit needs (user namespaces, mounts, /proc); `label=disable` is never granted. */
const ROOTLESS_BUILDKIT_NEEDS = ["seccomp=unconfined", "apparmor=unconfined", "systempaths=unconfined"];

function runsAsRoot(user: string | undefined): boolean {
  if (user === undefined || user === "") return false; // the image's USER: 1000 in the -rootless image
  const name = user.split(":")[0] ?? "";
  return name === "root" || name === "0";
}

/** The Docker twin of the Kubernetes exception: the upstream -rootless image, non-root, unprivileged, no added capabilities. */
export function isRootlessBuildkitContainer(props: Props): boolean {
  const image = asString(props["image"]) ?? "";
  if (!isBuildkitImage(image) || !/(^|-)rootless$/.test(parseImage(image).tag ?? "")) return false;
  if (runsAsRoot(asString(props["user"])) || props["privileged"] === true) return false;
  return asArray(at(props, "capabilities", "adds")).length === 0;
}

export const requireConfinedContainers: BuildfarmResourcePolicy = {
  name: "buildfarm-docker-confined",
  description:
    "No Docker container turns off seccomp, AppArmor, system-path masking or SELinux labels. Exception: the rootless buildkitd " +
    "container (moby/buildkit:*-rootless, not root, not privileged, no added capabilities) may run seccomp, AppArmor and systempaths unconfined.",
  remediationSteps:
    "Remove `seccomp=unconfined`, `apparmor=unconfined`, `systempaths=unconfined` and `label=disable` from securityOpts. Only the " +
    "rootless BuildKit daemon needs them, and only while it runs as its non-root user.",
  validateResource: forTypes([DOCKER.container], (props, args, reportViolation) => {
    const name = asString(props["name"]) ?? args.name;
    const opts = asStrings(props["securityOpts"]).map((o) => o.replace(":", "=").toLowerCase());
    const unconfining = opts.filter((o) => UNCONFINING.includes(o));
    if (unconfining.length === 0) return;
    const allowed = isRootlessBuildkitContainer(props) ? ROOTLESS_BUILDKIT_NEEDS : [];
    const denied = unconfining.filter((o) => !allowed.includes(o));
    if (denied.length > 0) reportViolation(`container ${name} runs with ${denied.join(", ")}${allowed.length > 0 ? "" : "; only a rootless buildkitd running as non-root may turn confinement off"}`);
  }),
};
