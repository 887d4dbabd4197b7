import { dashboard, dockerContainer, mutate, prodComponents, resource } from "../fixtures";
import type { PolicyCase } from "./types";

const rootlessBuildkitd = dockerContainer("dev-buildkitd-container", {
  name: "buildfarm-buildkitd",
  image: "docker.io/moby/buildkit:v0.32.2-rootless",
  securityOpts: ["seccomp=unconfined", "apparmor=unconfined", "systempaths=unconfined"],
});
const [, monitoring] = prodComponents() as [ReturnType<typeof prodComponents>[0], ReturnType<typeof prodComponents>[0]];

export const dockerGrafanaStackCases: PolicyCase[] = [
  { policy: "buildfarm-docker-no-privileged", name: "accepts an unprivileged container", resources: [dockerContainer()], expect: [] },
  {
    policy: "buildfarm-docker-no-privileged",
    name: "accepts a privileged container allow-listed in config",
    resources: [mutate(dockerContainer(), ["privileged"], true)],
    config: { "buildfarm-docker-no-privileged": { allowPrivileged: ["dev-minio"] } },
    expect: [],
  },
  {
    policy: "buildfarm-docker-no-privileged",
    name: "rejects a privileged container that is not allow-listed",
    resources: [mutate(dockerContainer(), ["privileged"], true)],
    config: { "buildfarm-docker-no-privileged": { allowPrivileged: ["something-else"] } },
    expect: [["dev-minio-container", "container dev-minio runs privileged and is not in allowPrivileged"]],
  },
  { policy: "buildfarm-docker-no-docker-socket", name: "accepts named volumes", resources: [dockerContainer()], expect: [] },
  {
    policy: "buildfarm-docker-no-docker-socket",
    name: "rejects a bind of /var/run/docker.sock as a volume",
    resources: [mutate(dockerContainer(), ["volumes", 1], { hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" })],
    expect: [["dev-minio-container", "container dev-minio mounts /var/run/docker.sock, which exposes the container engine's API"]],
  },
  {
    policy: "buildfarm-docker-no-docker-socket",
    name: "rejects a bind mount of /run",
    resources: [mutate(dockerContainer(), ["mounts"], [{ type: "bind", source: "/run/", target: "/host-run" }])],
    expect: [["dev-minio-container", "container dev-minio mounts /run/, which exposes the container engine's API"]],
  },
  { policy: "buildfarm-docker-confined", name: "accepts default confinement with no-new-privileges", resources: [dockerContainer()], expect: [] },
  { policy: "buildfarm-docker-confined", name: "lets the rootless buildkitd run seccomp, AppArmor and systempaths unconfined", resources: [rootlessBuildkitd], expect: [] },
  {
    policy: "buildfarm-docker-confined",
    name: "rejects seccomp=unconfined on any other container",
    resources: [mutate(dockerContainer(), ["securityOpts"], ["seccomp=unconfined", "no-new-privileges:true"])],
    expect: [["dev-minio-container", "container dev-minio runs with seccomp=unconfined; only a rootless buildkitd running as non-root may turn confinement off"]],
  },
  {
    policy: "buildfarm-docker-confined",
    name: "does not let the rootless image through as root",
    resources: [mutate(rootlessBuildkitd, ["user"], "0:0")],
    expect: [["dev-buildkitd-container", "container buildfarm-buildkitd runs with seccomp=unconfined, apparmor=unconfined, systempaths=unconfined; only a rootless buildkitd running as non-root may turn confinement off"]],
  },
  {
    policy: "buildfarm-docker-confined",
    name: "never grants label=disable, even to rootless buildkitd",
    resources: [mutate(rootlessBuildkitd, ["securityOpts", 3], "label:disable")],
    expect: [["dev-buildkitd-container", "container buildfarm-buildkitd runs with label=disable"]],
  },
  { policy: "buildfarm-docker-image-pinned", name: "accepts release tags and image IDs", resources: [dockerContainer(), mutate(dockerContainer("x-container"), ["image"], "sha256:" + "c".repeat(64))], expect: [] },
  { policy: "buildfarm-docker-image-pinned", name: "leaves a computed image (a RemoteImage's imageId) to the RemoteImage check", resources: [mutate(dockerContainer(), ["image"], undefined)], expect: [] },
  {
    policy: "buildfarm-docker-image-pinned",
    name: "rejects a RemoteImage without a tag",
    resources: [resource("docker:index/remoteImage:RemoteImage", "minio-image", { name: "quay.io/minio/minio", keepLocally: true })],
    expect: [["minio-image", 'image "quay.io/minio/minio" has no tag (it means :latest)']],
  },
  { policy: "buildfarm-grafana-dashboard-uid-folder", name: "accepts a uid and a folder", resources: [dashboard()], expect: [] },
  {
    policy: "buildfarm-grafana-dashboard-uid-folder",
    name: "rejects a dashboard without uid in the General folder",
    resources: [mutate(mutate(dashboard(), ["configJson"], JSON.stringify({ title: "BuildKit: build overview" })), ["folder"], undefined)],
    expect: [
      ["build-overview", 'dashboard "BuildKit: build overview" has no stable uid (got null)'],
      ["build-overview", 'dashboard "BuildKit: build overview" is not in a folder'],
    ],
  },
  { policy: "buildfarm-stack-prod-complete", name: "accepts a prod stack with a ProductionBuilder and a MonitoringStack", resources: prodComponents(), config: { "buildfarm-stack-prod-complete": { environment: "prod" } }, expect: [] },
  { policy: "buildfarm-stack-prod-complete", name: "does not apply to dev", resources: [], config: { "buildfarm-stack-prod-complete": { environment: "dev" } }, expect: [] },
  {
    policy: "buildfarm-stack-prod-complete",
    name: "rejects a prod stack (known from its components) without a ProductionBuilder",
    resources: [monitoring],
    expect: [["(stack)", "the prod stack has no ProductionBuilder (buildfarm:index:ProductionBuilder)"]],
  },
  {
    policy: "buildfarm-stack-prod-complete",
    name: "rejects a stack configured as prod that has neither builder nor monitoring",
    resources: [],
    config: { "buildfarm-stack-prod-complete": { environment: "prod" } },
    expect: [
      ["(stack)", "the prod stack has no ProductionBuilder (buildfarm:index:ProductionBuilder)"],
      ["(stack)", "the prod stack has no MonitoringStack (buildfarm:index:MonitoringStack)"],
    ],
  },
  { policy: "buildfarm-monitoring-alert-routes", name: "accepts a webhook route in prod", resources: [monitoring], expect: [] },
  { policy: "buildfarm-monitoring-alert-routes", name: "accepts the routes the component declares", resources: [mutate(monitoring, ["alerting"], { via: "grafana", routes: ["buildfarm-default", "buildfarm-critical"], hasRoute: true })], expect: [] },
  { policy: "buildfarm-monitoring-alert-routes", name: "does not apply to dev monitoring", resources: [mutate(mutate(monitoring, ["environment"], "dev"), ["alerting"], {})], expect: [] },
  {
    policy: "buildfarm-monitoring-alert-routes",
    name: "rejects prod monitoring whose alerts reach nobody",
    resources: [mutate(monitoring, ["alerting", "webhookUrl"], undefined)],
    expect: [["monitoring", 'prod monitoring has no alert route (alerting via "alertmanager")']],
  },
  {
    policy: "buildfarm-monitoring-alert-routes",
    name: "trusts the component saying it has no route over a stray webhook setting",
    resources: [mutate(mutate(monitoring, ["alerting"], { via: "grafana", routes: [], hasRoute: false }), ["settings"], { alerting: { webhookUrl: "https://x" } })],
    expect: [["monitoring", 'prod monitoring has no alert route (alerting via "grafana")']],
  },
];
