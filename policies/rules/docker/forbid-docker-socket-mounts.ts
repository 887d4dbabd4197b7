import { forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { asArray, asString, at } from "../lib/props";
import { DOCKER } from "../lib/types";

/** Host paths that expose a container engine's API (root on the host for whoever can write to it). */
export function exposesEngineSocket(hostPath: string): boolean {
  const path = hostPath.replace(/\/+$/, "");
  return /(^|\/)(docker|containerd|podman|dockershim)\.sock$/.test(path) || ["/var/run", "/run", "/var/run/docker", "/run/docker", "/run/containerd"].includes(path);
}

export const forbidDockerSocketMounts: BuildfarmResourcePolicy = {
  name: "buildfarm-docker-no-docker-socket",
  description: "No Docker container mounts the Docker (or containerd) socket or the directory holding it.",
  remediationSteps: "Remove the bind mount of /var/run/docker.sock; talk to BuildKit over its own TLS listener, and give exporters read-only metrics endpoints instead.",
  validateResource: forTypes([DOCKER.container], (props, _args, reportViolation) => {
    const name = asString(props["name"]) ?? "container";
    const hostPaths = [
      ...asArray(props["volumes"]).map((v) => asString(at(v, "hostPath"))),
      ...asArray(props["mounts"]).filter((m) => (asString(at(m, "type")) ?? "bind") === "bind").map((m) => asString(at(m, "source"))),
    ].filter((p): p is string => p !== undefined);
    for (const path of hostPaths) {
      if (exposesEngineSocket(path)) reportViolation(`container ${name} mounts ${path}, which exposes the container engine's API`);
    }
  }),
};
