/** The one documented relaxation: rootless buildkitd may run seccomp/AppArmor Unconfined, and nothing else may. */
import { describe, expect, it } from "vitest";
import { evaluatePolicies } from "../../policies/offline";
import { buildfarmPolicies, PACK_ENFORCEMENT_LEVEL } from "../../policies/rules";
import { BUILDKIT_VERSION } from "../../lib/versions";
import { dockerContainer, mutate, type Resource } from "./fixtures";
import { builderStatefulSet, namespaceGuards } from "./fixtures-k8s";

const container = ["spec", "template", "spec", "containers", 0];
const podSecurity = ["spec", "template", "spec", "securityContext"];

async function findings(builder: Resource): Promise<Array<[string, string]>> {
  const { violations } = await evaluatePolicies([builder, ...namespaceGuards()], { policies: buildfarmPolicies, packEnforcementLevel: PACK_ENFORCEMENT_LEVEL });
  return violations.map((v) => [v.policy, v.message]);
}

describe("the rootless buildkitd exception", () => {
  it("lets the rootless daemon, non-root and unprivileged, run Unconfined with no finding at all", async () => {
    expect(await findings(builderStatefulSet())).toEqual([]);
  });

  it("does not let a privileged container through, even from the rootless image", async () => {
    expect(await findings(mutate(builderStatefulSet(), [...container, "securityContext", "privileged"], true))).toEqual([
      ["buildfarm-k8s-no-privilege-escalation", 'container "buildkitd" is privileged'],
      ["buildfarm-k8s-seccomp", 'container "buildkitd" uses seccomp Unconfined; only a rootless buildkitd running as non-root may'],
      ["buildfarm-k8s-seccomp", 'container "buildkitd" uses AppArmor Unconfined; only a rootless buildkitd running as non-root may'],
    ]);
  });

  it("does not let a root container through, even from the rootless image", async () => {
    expect(await findings(mutate(builderStatefulSet(), [...podSecurity, "runAsUser"], 0))).toEqual([
      ["buildfarm-k8s-non-root", 'container "buildkitd" runs as root (runAsUser 0)'],
      ["buildfarm-k8s-seccomp", 'container "buildkitd" uses seccomp Unconfined; only a rootless buildkitd running as non-root may'],
      ["buildfarm-k8s-seccomp", 'container "buildkitd" uses AppArmor Unconfined; only a rootless buildkitd running as non-root may'],
    ]);
  });

  it("does not apply without runAsNonRoot", async () => {
    const found = await findings(mutate(builderStatefulSet(), [...podSecurity, "runAsNonRoot"], undefined));
    expect(found).toContainEqual(["buildfarm-k8s-non-root", 'container "buildkitd" does not set runAsNonRoot: true']);
    expect(found).toContainEqual(["buildfarm-k8s-seccomp", 'container "buildkitd" uses seccomp Unconfined; only a rootless buildkitd running as non-root may']);
  });

  it("does not apply to the rootful image", async () => {
    const found = await findings(mutate(builderStatefulSet(), [...container, "image"], `moby/buildkit:${BUILDKIT_VERSION}`));
    expect(found).toEqual([
      ["buildfarm-k8s-seccomp", 'container "buildkitd" uses seccomp Unconfined; only a rootless buildkitd running as non-root may'],
      ["buildfarm-k8s-seccomp", 'container "buildkitd" uses AppArmor Unconfined; only a rootless buildkitd running as non-root may'],
    ]);
  });

  it("does not apply when the container adds capabilities", async () => {
    const found = await findings(mutate(builderStatefulSet(), [...container, "securityContext", "capabilities", "add"], ["SYS_ADMIN"]));
    expect(found).toEqual([
      ["buildfarm-k8s-drop-all-capabilities", 'container "buildkitd" adds capabilities SYS_ADMIN'],
      ["buildfarm-k8s-seccomp", 'container "buildkitd" uses seccomp Unconfined; only a rootless buildkitd running as non-root may'],
      ["buildfarm-k8s-seccomp", 'container "buildkitd" uses AppArmor Unconfined; only a rootless buildkitd running as non-root may'],
    ]);
  });

  it("does not extend to a sidecar in the same pod", async () => {
    const sidecar = { name: "shell", image: "busybox:1.37.0", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "Unconfined" } }, resources: { requests: { cpu: "10m", memory: "8Mi", "ephemeral-storage": "8Mi" }, limits: { cpu: "10m", memory: "8Mi", "ephemeral-storage": "8Mi" } }, readinessProbe: { exec: { command: ["true"] } }, livenessProbe: { exec: { command: ["true"] } } };
    expect(await findings(mutate(builderStatefulSet(), ["spec", "template", "spec", "containers", 1], sidecar))).toEqual([
      ["buildfarm-k8s-seccomp", 'container "shell" uses seccomp Unconfined; only a rootless buildkitd running as non-root may'],
    ]);
  });
});

describe("the rootless buildkitd exception on Docker", () => {
  const rootless = dockerContainer("dev-buildkitd-container", {
    name: "buildfarm-buildkitd",
    image: `docker.io/moby/buildkit:${BUILDKIT_VERSION}-rootless`,
    securityOpts: ["seccomp=unconfined", "apparmor=unconfined", "systempaths=unconfined"],
  });
  const dockerFindings = async (container: Resource) =>
    (await evaluatePolicies([container], { policies: buildfarmPolicies, packEnforcementLevel: PACK_ENFORCEMENT_LEVEL })).violations.map((v) => [v.policy, v.message]);
  const unconfined = "container buildfarm-buildkitd runs with seccomp=unconfined, apparmor=unconfined, systempaths=unconfined; only a rootless buildkitd running as non-root may turn confinement off";

  it("lets the rootless daemon run unconfined with no finding at all", async () => {
    expect(await dockerFindings(rootless)).toEqual([]);
  });

  it("does not let it through privileged", async () => {
    expect(await dockerFindings(mutate(rootless, ["privileged"], true))).toEqual([
      ["buildfarm-docker-no-privileged", "container buildfarm-buildkitd runs privileged and is not in allowPrivileged"],
      ["buildfarm-docker-confined", unconfined],
    ]);
  });

  it("does not let it through as root", async () => {
    expect(await dockerFindings(mutate(rootless, ["user"], "root"))).toEqual([["buildfarm-docker-confined", unconfined]]);
  });
});
