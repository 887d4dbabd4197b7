import { BUILDKIT_VERSION } from "../../../lib/versions";
import { BUILDKITD_TOML, BUILDKIT_LIMITS_DROP_IN, buildkitHost, dockerContainer, mutate, resource } from "../fixtures";
import { builderStatefulSet } from "../fixtures-k8s";
import type { PolicyCase } from "./types";

const prod = buildkitHost();
const dev = buildkitHost("builder-dev", "dev");
const withoutCa = BUILDKITD_TOML.replace('ca = "/etc/buildkit/tls/ca.pem"\n', "");
const withoutTls = BUILDKITD_TOML.replace(/\[grpc\.tls\][^[]*/, "");
const publicDebug = (host: typeof prod) => mutate(host, ["settings", "buildkitd", "grpc", "debugAddress"], "0.0.0.0:6060");

export const buildkitCases: PolicyCase[] = [
  { policy: "buildfarm-buildkit-tcp-tls", name: "accepts a TCP listener with mTLS in prod", resources: [prod], expect: [] },
  { policy: "buildfarm-buildkit-tcp-tls", name: "accepts server-only TLS in dev", resources: [mutate(dev, ["buildkitdToml"], withoutCa)], expect: [] },
  { policy: "buildfarm-buildkit-tcp-tls", name: "accepts a Unix-socket-only daemon without TLS", resources: [mutate(mutate(mutate(prod, ["settings", "buildkitd", "grpc", "tcpAddress"], undefined), ["settings", "buildkitd", "tls", "mode"], "none"), ["buildkitdToml"], withoutTls.replace(', "tcp://0.0.0.0:1234"', ""))], expect: [] },
  {
    policy: "buildfarm-buildkit-tcp-tls",
    name: "rejects a TCP listener without TLS",
    resources: [mutate(mutate(prod, ["settings", "buildkitd", "tls", "mode"], "none"), ["buildkitdToml"], withoutTls)],
    expect: [["prod-builder-1", 'TCP listener tcp://0.0.0.0:1234 has no TLS (tls.mode "none", [grpc.tls] cert/key missing)']],
  },
  {
    policy: "buildfarm-buildkit-tcp-tls",
    name: "rejects a rendered buildkitd.toml that lost [grpc.tls] even when settings claim TLS",
    resources: [mutate(prod, ["buildkitdToml"], withoutTls)],
    expect: [["prod-builder-1", 'TCP listener tcp://0.0.0.0:1234 has no TLS (tls.mode "generate", [grpc.tls] cert/key missing)']],
  },
  {
    policy: "buildfarm-buildkit-tcp-tls",
    name: "rejects TLS without client verification in prod",
    resources: [mutate(prod, ["buildkitdToml"], withoutCa)],
    expect: [["prod-builder-1", "TCP listener tcp://0.0.0.0:1234 does not verify client certificates ([grpc.tls] has no ca): prod requires mTLS"]],
  },
  {
    policy: "buildfarm-buildkit-tcp-tls",
    name: "treats a dev host as prod when the policy config says so",
    resources: [mutate(dev, ["buildkitdToml"], withoutCa)],
    config: { "buildfarm-buildkit-tcp-tls": { environment: "prod" } },
    expect: [["builder-dev", "TCP listener tcp://0.0.0.0:1234 does not verify client certificates ([grpc.tls] has no ca): prod requires mTLS"]],
  },
  { policy: "buildfarm-buildkit-no-insecure-entitlements", name: "accepts no entitlements in prod", resources: [prod], expect: [] },
  { policy: "buildfarm-buildkit-no-insecure-entitlements", name: "allows entitlements in dev", resources: [mutate(dev, ["settings", "buildkitd", "insecureEntitlements"], ["security.insecure"])], expect: [] },
  {
    policy: "buildfarm-buildkit-no-insecure-entitlements",
    name: "rejects security.insecure in prod settings",
    resources: [mutate(prod, ["settings", "buildkitd", "insecureEntitlements"], ["security.insecure"])],
    expect: [["prod-builder-1", "insecure entitlements allowed in prod: security.insecure"]],
  },
  {
    policy: "buildfarm-buildkit-no-insecure-entitlements",
    name: "rejects entitlements that only appear in the rendered file",
    resources: [mutate(prod, ["buildkitdToml"], BUILDKITD_TOML.replace("insecure-entitlements = []", 'insecure-entitlements = [ "network.host", "device" ]'))],
    expect: [["prod-builder-1", "insecure entitlements allowed in prod: device, network.host"]],
  },
  { policy: "buildfarm-buildkit-process-sandbox", name: "accepts the process sandbox in prod", resources: [prod], expect: [] },
  { policy: "buildfarm-buildkit-process-sandbox", name: "allows noProcessSandbox in dev", resources: [mutate(dev, ["settings", "buildkitd", "worker", "noProcessSandbox"], true)], expect: [] },
  {
    policy: "buildfarm-buildkit-process-sandbox",
    name: "rejects noProcessSandbox in prod",
    resources: [mutate(prod, ["buildkitdToml"], BUILDKITD_TOML.replace("noProcessSandbox = false", "noProcessSandbox = true"))],
    expect: [["prod-builder-1", "the OCI worker runs with noProcessSandbox = true in prod"]],
  },
  { policy: "buildfarm-buildkit-debug-address", name: "accepts a loopback debugAddress", resources: [prod], expect: [] },
  { policy: "buildfarm-buildkit-debug-address", name: "accepts 0.0.0.0 with an allow-list enforced by IPAddressDeny=any", resources: [publicDebug(prod)], expect: [] },
  { policy: "buildfarm-buildkit-debug-address", name: "accepts a private address without an allow-list", resources: [mutate(mutate(prod, ["settings", "buildkitd", "grpc", "debugAddress"], "10.30.5.7:6060"), ["settings", "allowedNetworks"], [])], expect: [] },
  {
    policy: "buildfarm-buildkit-debug-address",
    name: "rejects 0.0.0.0 with an empty allow-list",
    resources: [mutate(publicDebug(prod), ["settings", "allowedNetworks"], [])],
    expect: [["prod-builder-1", "debugAddress 0.0.0.0:6060 is bound to every interface and allowedNetworks is empty"]],
  },
  {
    policy: "buildfarm-buildkit-debug-address",
    name: "rejects a public address with an allow-list that admits everyone",
    resources: [mutate(mutate(prod, ["settings", "buildkitd", "grpc", "debugAddress"], "203.0.113.10:6060"), ["settings", "allowedNetworks"], ["10.0.0.0/8", "any"])],
    expect: [["prod-builder-1", "debugAddress 203.0.113.10:6060 is public and allowedNetworks admits everyone (any)"]],
  },
  {
    policy: "buildfarm-buildkit-debug-address",
    name: "rejects an allow-list no unit enforces",
    resources: [mutate(publicDebug(prod), ["units", "buildkit.service.d/limits.conf"], BUILDKIT_LIMITS_DROP_IN.replace("IPAddressDeny=any\n", ""))],
    expect: [["prod-builder-1", "debugAddress 0.0.0.0:6060 is not loopback but no service unit sets IPAddressDeny=any with IPAddressAllow"]],
  },
  { policy: "buildfarm-buildkit-version-pinned", name: `accepts ${BUILDKIT_VERSION} in prod`, resources: [prod], expect: [] },
  { policy: "buildfarm-buildkit-version-pinned", name: "accepts another pinned release in dev", resources: [mutate(dev, ["version"], "v0.31.0")], expect: [] },
  { policy: "buildfarm-buildkit-version-pinned", name: "accepts pinned BuildKit images, by tag or digest", resources: [mutate(dockerContainer("dev-buildkitd-container"), ["image"], `docker.io/moby/buildkit:${BUILDKIT_VERSION}-rootless`), builderStatefulSet(), resource("docker:index/remoteImage:RemoteImage", "bk-image", { name: "moby/buildkit@sha256:" + "b".repeat(64) })], expect: [] },
  {
    policy: "buildfarm-buildkit-version-pinned",
    name: "rejects a prod host on another version than the manifest",
    resources: [mutate(prod, ["version"], "v0.31.0")],
    expect: [["prod-builder-1", `BuildKit v0.31.0 in prod differs from the manifest's stable ${BUILDKIT_VERSION}`]],
  },
  {
    policy: "buildfarm-buildkit-version-pinned",
    name: "rejects an unpinned version in dev",
    resources: [mutate(dev, ["version"], "latest")],
    expect: [["builder-dev", `BuildKit version "latest" is not a pinned release tag like "${BUILDKIT_VERSION}"`]],
  },
  {
    policy: "buildfarm-buildkit-version-pinned",
    name: "rejects moby/buildkit:rootless (a moving tag)",
    resources: [mutate(dockerContainer("dev-buildkitd-container"), ["image"], "moby/buildkit:rootless")],
    expect: [["dev-buildkitd-container", `BuildKit image moby/buildkit:rootless is not pinned to a release tag like ${BUILDKIT_VERSION}`]],
  },
];
