import { asArray, asRecord, asString, asStrings, at, type Props } from "./props";
import { readToml, tomlValue, type TomlTables } from "./toml";

/** What the BuildKit policies read from a BuildkitHost component: typed settings and the rendered buildkitd.toml. */
export interface BuildkitView {
  readonly tcpAddresses: string[];
  /** settings.buildkitd.tls.mode ("generate" | "supplied" | "none"), when the settings are present. */
  readonly tlsMode?: string;
  /** [grpc.tls] of the rendered file, when the file is present. */
  readonly tomlTls?: { cert?: string; key?: string; ca?: string };
  readonly hasToml: boolean;
  readonly insecureEntitlements: string[];
  readonly noProcessSandbox: boolean;
  readonly debugAddress?: string;
  readonly allowedNetworks?: string[];
}

function tomlOf(props: Props): TomlTables | undefined {
  const text = asString(props["buildkitdToml"]);
  return text === undefined ? undefined : readToml(text);
}

export function buildkitView(props: Props): BuildkitView {
  const settings = asRecord(props["settings"]) ?? {};
  const buildkitd = asRecord(settings["buildkitd"]) ?? {};
  const toml = tomlOf(props);
  const tcpAddresses = new Set<string>();
  const settingsTcp = asString(at(buildkitd, "grpc", "tcpAddress"));
  if (settingsTcp) tcpAddresses.add(settingsTcp);
  for (const address of asStrings(toml ? tomlValue(toml, "grpc", "address") : undefined)) {
    if (address.startsWith("tcp://")) tcpAddresses.add(address);
  }
  const tlsTable = toml?.get("grpc.tls");
  const entitlements = new Set([...asStrings(buildkitd["insecureEntitlements"]), ...asStrings(toml ? tomlValue(toml, "", "insecure-entitlements") : undefined)]);
  const sandboxOff =
    at(buildkitd, "worker", "noProcessSandbox") === true ||
    (toml !== undefined && (tomlValue(toml, "worker.oci", "noProcessSandbox") === true || tomlValue(toml, "worker.containerd", "noProcessSandbox") === true));
  const allowed = settings["allowedNetworks"];
  return {
    tcpAddresses: [...tcpAddresses].sort(),
    tlsMode: asString(at(buildkitd, "tls", "mode")),
    ...(tlsTable
      ? { tomlTls: { cert: asString(tlsTable.get("cert")), key: asString(tlsTable.get("key")), ca: asString(tlsTable.get("ca")) } }
      : {}),
    hasToml: toml !== undefined,
    insecureEntitlements: [...entitlements].sort(),
    noProcessSandbox: sandboxOff,
    debugAddress: asString(at(buildkitd, "grpc", "debugAddress")) ?? asString(toml ? tomlValue(toml, "grpc", "debugAddress") : undefined),
    ...(Array.isArray(allowed) ? { allowedNetworks: asArray(allowed).filter((n): n is string => typeof n === "string") } : {}),
  };
}

/** Units of a component as a record of file → text (BuildkitHost's `units` prop). */
export function unitsOf(props: Props): Record<string, string> | undefined {
  const units = asRecord(props["units"]);
  if (!units) return undefined;
  return Object.fromEntries(Object.entries(units).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/** Splits an image reference into repository, tag and digest. */
export function parseImage(image: string): { repository: string; tag?: string; digest?: string } {
  const [name = "", digest] = image.split("@");
  const lastSlash = name.lastIndexOf("/");
  const colon = name.indexOf(":", lastSlash + 1);
  const repository = colon === -1 ? name : name.slice(0, colon);
  const tag = colon === -1 ? undefined : name.slice(colon + 1);
  return { repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** Why an image reference is not pinned, or undefined when it is (a version tag or a digest). */
export function unpinnedReason(image: string): string | undefined {
  if (/^sha256:[a-f0-9]{64}$/.test(image)) return undefined;
  const { tag, digest } = parseImage(image);
  if (digest) return /^sha256:[a-f0-9]{64}$/.test(digest) ? undefined : `image "${image}" has a malformed digest`;
  if (tag === undefined) return `image "${image}" has no tag (it means :latest)`;
  if (/^(latest|stable|main|master|edge|nightly|dev)$/i.test(tag) || /^(latest|master|nightly)-/.test(tag)) return `image "${image}" uses the moving tag "${tag}"`;
  return undefined;
}

/** True for the upstream BuildKit images (moby/buildkit, docker.io/moby/buildkit, mirrors ending in /moby/buildkit). */
export function isBuildkitImage(image: string): boolean {
  return /(^|\/)moby\/buildkit$/.test(parseImage(image).repository);
}
