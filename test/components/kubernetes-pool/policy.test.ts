/** The policy pack passes the pool as rendered and fails each one-field-broken variant. */
import { describe, expect, it } from "vitest";
import { renderPoolObjects, type KubeObject } from "../../../components/kubernetes-pool";
import { evaluatePolicies } from "../../../policies/offline";
import { buildfarmPolicies, PACK_ENFORCEMENT_LEVEL } from "../../../policies/rules";
import { mutate, resource, type Resource } from "../../policies/fixtures";
import { pool } from "./fixtures";

/** The Pulumi type token @pulumi/kubernetes registers for an object. */
function typeToken(object: KubeObject): string {
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["core", object.apiVersion];
  return `kubernetes:${group}/${version}:${object.kind}`;
}

const resources: Resource[] = renderPoolObjects(pool()).map((o) => resource(typeToken(o), `${o.kind}-${o.metadata.name}`, o as unknown as Record<string, unknown>));
const builderIndex = resources.findIndex((r) => r.type === "kubernetes:apps/v1:StatefulSet");
const container = ["spec", "template", "spec", "containers", 0];

async function violations(list: Resource[]): Promise<string[]> {
  const { violations } = await evaluatePolicies(list, { policies: buildfarmPolicies, packEnforcementLevel: PACK_ENFORCEMENT_LEVEL });
  return violations.map((v) => `${v.policy}: ${v.message}`);
}

function withBuilder(change: (builder: Resource) => Resource): Resource[] {
  return resources.map((r, i) => (i === builderIndex ? change(r) : r));
}

describe("the policy pack on a Kubernetes pool", () => {
  it("passes the pool as rendered, rootless exception included", async () => {
    expect(await violations(resources)).toEqual([]);
  });

  it.each<[string, () => Resource[], string]>([
    ["privileged", () => withBuilder((b) => mutate(b, [...container, "securityContext", "privileged"], true)), 'buildfarm-k8s-no-privilege-escalation: container "buildkitd" is privileged'],
    ["root", () => withBuilder((b) => mutate(b, [...container, "securityContext", "runAsUser"], 0)), "buildfarm-k8s-non-root"],
    ["an added capability", () => withBuilder((b) => mutate(b, [...container, "securityContext", "capabilities", "add"], ["SETUID", "SETGID", "SYS_ADMIN"])), "buildfarm-k8s-drop-all-capabilities"],
    ["no limits", () => withBuilder((b) => mutate(b, [...container, "resources", "limits"], undefined)), "buildfarm-k8s-container-resources"],
    ["a hostPath volume", () => withBuilder((b) => mutate(b, ["spec", "template", "spec", "volumes", 3], { name: "host", hostPath: { path: "/var/lib" } })), "buildfarm-k8s-no-host-access"],
    ["no PDB", () => resources.filter((r) => !(r.type === "kubernetes:policy/v1:PodDisruptionBudget" && r.name === "PodDisruptionBudget-buildkitd")), "buildfarm-k8s-builder-pdb"],
    ["no NetworkPolicy", () => resources.filter((r) => r.type !== "kubernetes:networking.k8s.io/v1:NetworkPolicy"), "buildfarm-k8s-network-policy"],
    ["an unpinned image", () => withBuilder((b) => mutate(b, [...container, "image"], "docker.io/moby/buildkit:rootless")), "buildfarm-buildkit-version-pinned"],
  ])("fails the pool with %s", async (_label, variant, expected) => {
    const found = await violations(variant());
    expect(found.some((v) => v.startsWith(expected)), found.join("\n")).toBe(true);
  });

  it("keeps the escalation exception to the rootless daemon: the front may not escalate", async () => {
    const frontIndex = resources.findIndex((r) => r.type === "kubernetes:apps/v1:Deployment");
    const list = resources.map((r, i) => (i === frontIndex ? mutate(r, [...container, "securityContext", "allowPrivilegeEscalation"], true) : r));
    expect(await violations(list)).toEqual(['buildfarm-k8s-no-privilege-escalation: container "haproxy" does not set allowPrivilegeEscalation: false']);
  });
});
