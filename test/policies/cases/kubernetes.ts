import { mutate, resource } from "../fixtures";
import { builderStatefulSet, exporterDeployment, namespaceGuards, BUILDER_LABELS } from "../fixtures-k8s";
import type { PolicyCase } from "./types";

const sts = builderStatefulSet();
const exporter = exporterDeployment();
const bk = ["spec", "template", "spec", "containers", 0];
const ex = ["spec", "template", "spec", "containers", 0];
const podSpec = ["spec", "template", "spec"];
const guards = namespaceGuards();
const withoutKind = (kind: string) => guards.filter((r) => r.type !== kind);

export const kubernetesCases: PolicyCase[] = [
  { policy: "buildfarm-k8s-non-root", name: "accepts pod-level runAsNonRoot with a non-zero user", resources: [sts, exporter], expect: [] },
  {
    policy: "buildfarm-k8s-non-root",
    name: "rejects a container that overrides runAsUser to 0",
    resources: [mutate(exporter, [...ex, "securityContext", "runAsUser"], 0)],
    expect: [["exporter", 'container "exporter" runs as root (runAsUser 0)']],
  },
  {
    policy: "buildfarm-k8s-non-root",
    name: "rejects a pod without runAsNonRoot",
    resources: [mutate(exporter, [...podSpec, "securityContext", "runAsNonRoot"], undefined)],
    expect: [
      ["exporter", 'initContainer "wait" does not set runAsNonRoot: true'],
      ["exporter", 'container "exporter" does not set runAsNonRoot: true'],
    ],
  },
  { policy: "buildfarm-k8s-no-privilege-escalation", name: "accepts allowPrivilegeEscalation: false everywhere", resources: [sts, exporter], expect: [] },
  {
    policy: "buildfarm-k8s-no-privilege-escalation",
    name: "rejects a privileged container",
    resources: [mutate(sts, [...bk, "securityContext", "privileged"], true)],
    expect: [["builders", 'container "buildkitd" is privileged']],
  },
  {
    policy: "buildfarm-k8s-no-privilege-escalation",
    name: "rejects a container that leaves allowPrivilegeEscalation unset",
    resources: [mutate(exporter, ["spec", "template", "spec", "initContainers", 0, "securityContext", "allowPrivilegeEscalation"], undefined)],
    expect: [["exporter", 'initContainer "wait" does not set allowPrivilegeEscalation: false']],
  },
  { policy: "buildfarm-k8s-drop-all-capabilities", name: "accepts drop ALL", resources: [sts, exporter], expect: [] },
  { policy: "buildfarm-k8s-drop-all-capabilities", name: "accepts adding back NET_BIND_SERVICE", resources: [mutate(exporter, [...ex, "securityContext", "capabilities", "add"], ["NET_BIND_SERVICE"])], expect: [] },
  {
    policy: "buildfarm-k8s-drop-all-capabilities",
    name: "rejects a container that drops only NET_RAW and adds SYS_ADMIN",
    resources: [mutate(sts, [...bk, "securityContext", "capabilities"], { drop: ["NET_RAW"], add: ["SYS_ADMIN"] })],
    expect: [
      ["builders", 'container "buildkitd" does not drop ALL capabilities'],
      ["builders", 'container "buildkitd" adds capabilities SYS_ADMIN'],
    ],
  },
  { policy: "buildfarm-k8s-seccomp", name: "accepts RuntimeDefault, and Unconfined for the rootless buildkitd exception", resources: [sts, exporter], expect: [] },
  {
    policy: "buildfarm-k8s-seccomp",
    name: "rejects Unconfined seccomp on a container that is not rootless buildkitd",
    resources: [mutate(exporter, [...ex, "securityContext", "seccompProfile"], { type: "Unconfined" })],
    expect: [["exporter", 'container "exporter" uses seccomp Unconfined; only a rootless buildkitd running as non-root may']],
  },
  {
    policy: "buildfarm-k8s-seccomp",
    name: "rejects a pod without any seccomp profile",
    resources: [mutate(exporter, [...podSpec, "securityContext", "seccompProfile"], undefined)],
    expect: [
      ["exporter", 'initContainer "wait" has no seccompProfile RuntimeDefault (got null)'],
      ["exporter", 'container "exporter" has no seccompProfile RuntimeDefault (got null)'],
    ],
  },
  {
    policy: "buildfarm-k8s-seccomp",
    name: "rejects the legacy AppArmor unconfined annotation on a non-buildkit container",
    resources: [mutate(exporter, ["spec", "template", "metadata", "annotations"], { "container.apparmor.security.beta.kubernetes.io/exporter": "unconfined" })],
    expect: [["exporter", 'container "exporter" uses AppArmor Unconfined; only a rootless buildkitd running as non-root may']],
  },
  { policy: "buildfarm-k8s-no-host-access", name: "accepts a pod without host namespaces or hostPath", resources: [sts, exporter], expect: [] },
  {
    policy: "buildfarm-k8s-no-host-access",
    name: "rejects hostNetwork, hostPID and a hostPath volume",
    resources: [mutate(mutate(mutate(sts, [...podSpec, "hostNetwork"], true), [...podSpec, "hostPID"], true), [...podSpec, "volumes"], [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }])],
    expect: [
      ["builders", "pod sets hostNetwork: true"],
      ["builders", "pod sets hostPID: true"],
      ["builders", 'volume "docker" is a hostPath (/var/run/docker.sock)'],
    ],
  },
  {
    policy: "buildfarm-k8s-no-host-access",
    name: "rejects a hostPort",
    resources: [mutate(sts, [...bk, "ports"], [{ containerPort: 1234, hostPort: 1234 }])],
    expect: [["builders", 'container "buildkitd" binds hostPort 1234']],
  },
  { policy: "buildfarm-k8s-image-pinned", name: "accepts version tags and digests", resources: [sts, exporter], expect: [] },
  {
    policy: "buildfarm-k8s-image-pinned",
    name: "rejects :latest and untagged images",
    resources: [mutate(mutate(exporter, [...ex, "image"], "ghcr.io/acme/insights-exporter:latest"), ["spec", "template", "spec", "initContainers", 0, "image"], "busybox")],
    expect: [
      ["exporter", 'initContainer "wait": image "busybox" has no tag (it means :latest)'],
      ["exporter", 'container "exporter": image "ghcr.io/acme/insights-exporter:latest" uses the moving tag "latest"'],
    ],
  },
  { policy: "buildfarm-k8s-probes", name: "accepts readiness and liveness probes (init containers exempt)", resources: [sts, exporter], expect: [] },
  { policy: "buildfarm-k8s-probes", name: "does not ask Jobs for probes", resources: [resource("kubernetes:batch/v1:Job", "gc-job", { spec: { template: { spec: { containers: [{ name: "gc", image: "busybox:1.37.0" }] } } } })], expect: [] },
  {
    policy: "buildfarm-k8s-probes",
    name: "rejects a builder without a liveness probe",
    resources: [mutate(sts, [...bk, "livenessProbe"], undefined)],
    expect: [["builders", 'container "buildkitd" has no livenessProbe']],
  },
  { policy: "buildfarm-k8s-builder-pdb", name: "accepts a PDB selecting the builder pods", resources: [sts, ...guards], expect: [] },
  { policy: "buildfarm-k8s-builder-pdb", name: "does not ask non-builder workloads for a PDB", resources: [exporter, ...withoutKind("kubernetes:policy/v1:PodDisruptionBudget")], expect: [] },
  {
    policy: "buildfarm-k8s-builder-pdb",
    name: "rejects a builder pool without a PDB",
    resources: [sts, ...withoutKind("kubernetes:policy/v1:PodDisruptionBudget")],
    expect: [["builders", 'builder pool "builders" in namespace "builds" has no PodDisruptionBudget selecting its pods']],
  },
  {
    policy: "buildfarm-k8s-builder-pdb",
    name: "rejects a PDB whose selector does not match the builder labels",
    resources: [sts, ...withoutKind("kubernetes:policy/v1:PodDisruptionBudget"), resource("kubernetes:policy/v1:PodDisruptionBudget", "wrong-pdb", { metadata: { namespace: "builds" }, spec: { maxUnavailable: 1, selector: { matchLabels: { ...BUILDER_LABELS, "app.kubernetes.io/name": "other" } } } })],
    expect: [["builders", 'builder pool "builders" in namespace "builds" has no PodDisruptionBudget selecting its pods']],
  },
  { policy: "buildfarm-k8s-network-policy", name: "accepts a namespace with a NetworkPolicy", resources: [sts, exporter, ...guards], expect: [] },
  {
    policy: "buildfarm-k8s-network-policy",
    name: "rejects a second namespace without a NetworkPolicy",
    resources: [sts, ...guards, exporterDeployment("monitoring")],
    expect: [["exporter", 'namespace "monitoring" runs workloads but has no NetworkPolicy']],
  },
];
