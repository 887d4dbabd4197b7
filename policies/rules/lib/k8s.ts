import { K8S_WORKLOADS } from "./types";
import { asArray, asRecord, asString, at, type Props } from "./props";
import { isBuildkitImage, parseImage } from "./buildkit";

export interface PodTemplate {
  readonly metadata: Props;
  readonly spec: Props;
}

export type ContainerKind = "container" | "initContainer" | "ephemeralContainer";

export interface ContainerView {
  readonly name: string;
  readonly kind: ContainerKind;
  readonly container: Props;
  readonly pod: PodTemplate;
}

/** The pod template of a workload (or the Pod itself), or undefined for other kinds. */
export function podTemplateOf(type: string, props: Props): PodTemplate | undefined {
  const path = K8S_WORKLOADS[type];
  if (path === undefined) return undefined;
  const template = path.length === 0 ? props : asRecord(at(props, ...path));
  if (!template) return undefined;
  return { metadata: asRecord(template["metadata"]) ?? {}, spec: asRecord(template["spec"]) ?? {} };
}

export function containersOf(pod: PodTemplate, kinds: readonly ContainerKind[] = ["initContainer", "container", "ephemeralContainer"]): ContainerView[] {
  const fields: Record<ContainerKind, string> = { container: "containers", initContainer: "initContainers", ephemeralContainer: "ephemeralContainers" };
  const out: ContainerView[] = [];
  for (const kind of kinds) {
    for (const entry of asArray(pod.spec[fields[kind]])) {
      const container = asRecord(entry);
      if (container) out.push({ name: asString(container["name"]) ?? "(unnamed)", kind, container, pod });
    }
  }
  return out;
}

export function namespaceOf(props: Props): string {
  return asString(at(props, "metadata", "namespace")) ?? "default";
}

/** A container's setting, falling back to the pod-level securityContext as Kubernetes does. */
export function effectiveSecurity(view: ContainerView, key: "runAsNonRoot" | "runAsUser" | "seccompProfile" | "appArmorProfile"): unknown {
  const own = at(view.container, "securityContext", key);
  return own !== undefined ? own : at(view.pod.spec, "securityContext", key);
}

export function seccompType(view: ContainerView): string | undefined {
  return asString(at(effectiveSecurity(view, "seccompProfile"), "type"));
}

/** AppArmor from the securityContext field (1.30+) or the legacy per-container annotation. */
export function appArmorType(view: ContainerView): string | undefined {
  const field = asString(at(effectiveSecurity(view, "appArmorProfile"), "type"));
  if (field) return field;
  const annotation = asString(at(view.pod.metadata, "annotations", `container.apparmor.security.beta.kubernetes.io/${view.name}`));
  if (annotation === undefined) return undefined;
  if (annotation === "unconfined") return "Unconfined";
  if (annotation === "runtime/default") return "RuntimeDefault";
  return annotation.startsWith("localhost/") ? "Localhost" : annotation;
}

export function runsAsNonRoot(view: ContainerView): boolean {
  const user = effectiveSecurity(view, "runAsUser");
  return effectiveSecurity(view, "runAsNonRoot") === true && user !== 0 && user !== "0";
}

/**
 * Capabilities the rootless daemon may add back after dropping ALL: its setuid-root newuidmap and
 * newgidmap write the user namespace's uid/gid maps, which needs CAP_SETUID/CAP_SETGID in the
 * container's bounding set (docs/kubernetes-pool.md#rootless).
 */
export const ROOTLESS_BUILDKITD_CAPABILITIES = ["SETUID", "SETGID"];

function capabilityName(value: unknown): string {
  return String(value).toUpperCase().replace(/^CAP_/, "");
}

/**
 * The documented exception: the rootless BuildKit daemon needs Unconfined seccomp and AppArmor
 * (user namespaces, mounts) and privilege escalation for its setuid newuidmap/newgidmap. It applies
 * only to the upstream `-rootless` image, running as a non-zero user with runAsNonRoot, not privileged
 * and adding no capability but SETUID and SETGID.
 */
export function isRootlessBuildkitd(view: ContainerView): boolean {
  const image = asString(view.container["image"]) ?? "";
  if (!isBuildkitImage(image)) return false;
  const tag = parseImage(image).tag ?? "";
  if (!/(^|-)rootless$/.test(tag)) return false;
  const user = effectiveSecurity(view, "runAsUser");
  if (typeof user !== "number" || user === 0) return false;
  if (!runsAsNonRoot(view)) return false;
  if (at(view.container, "securityContext", "privileged") === true) return false;
  const added = asArray(at(view.container, "securityContext", "capabilities", "add")).map(capabilityName);
  if (!added.every((c) => ROOTLESS_BUILDKITD_CAPABILITIES.includes(c))) return false;
  return true;
}

/** Builder pools: workloads that run buildkitd. */
export function isBuilderWorkload(pod: PodTemplate): boolean {
  return containersOf(pod, ["container"]).some((c) => isBuildkitImage(asString(c.container["image"]) ?? ""));
}

/** True when every matchLabels entry of `selector` is among `labels` (and the selector is not empty). */
export function selectorMatches(selector: unknown, labels: Props): boolean {
  const matchLabels = asRecord(at(selector, "matchLabels")) ?? {};
  const entries = Object.entries(matchLabels);
  const expressions = asArray(at(selector, "matchExpressions"));
  if (entries.length === 0 && expressions.length === 0) return false;
  if (!entries.every(([key, value]) => labels[key] === value)) return false;
  return expressions.every((raw) => {
    const expression = asRecord(raw) ?? {};
    const key = asString(expression["key"]) ?? "";
    const values = asArray(expression["values"]);
    switch (asString(expression["operator"])) {
      case "In":
        return values.includes(labels[key]);
      case "NotIn":
        return !values.includes(labels[key]);
      case "Exists":
        return key in labels;
      case "DoesNotExist":
        return !(key in labels);
      default:
        return false;
    }
  });
}
