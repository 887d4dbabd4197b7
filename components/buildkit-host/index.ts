export { BUILDKIT_HOST_TYPE, BuildkitHost, type BuildkitHostArgs } from "./buildkit-host";
export {
  buildkitHostSchema,
  buildkitdSettingsSchema,
  buildkitReleaseSchema,
  ENTITLEMENTS,
  type BuildkitdSettings,
  type BuildkitHostInput,
  type BuildkitHostSettings,
  type BuildkitRelease,
} from "./args";
export { buildkitdTomlDocument, frontendRepository, grpcAddresses, renderBuildkitdToml, type BuildkitdTomlOptions } from "./render-buildkitd-toml";
export { EXPORTER_LIMITS, renderBuildkitUnits, type UnitOptions } from "./render-units";
export { releaseFiles, renderHost, type RenderedHost, type HostRenderOptions } from "./render-host";
export { readPayload, renderInstallScript, withPayload } from "./render-install-script";
export { renderRootlessCheckScript, renderUninstallScript, renderVerifyScript } from "./render-host-scripts";
export { buildkitClientCommands, hostEndpoints } from "./endpoints";
export { DEFAULT_HOST_PATHS, TLS_FILES, UNIT_FILES, type HostPaths } from "./paths";
export type { BuildkitTlsOverride, TlsMaterial } from "./tls";
export { BUILDKIT_KEY_CATALOGUE } from "../../lib/buildkitd-keys";
export { NODE_EXPORTER_DEFAULTS, renderNodeExporterInstallScript, renderNodeExporterUnit, type NodeExporterSettings } from "./render-node-exporter";
