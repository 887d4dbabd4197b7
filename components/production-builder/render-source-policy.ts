/**
 * BuildKit source policy (moby/buildkit `sourcepolicy/pb`): `{"rules":[{action, selector, updates}]}`.
 * ALLOW/DENY: the last matching rule wins; CONVERT rewrites a source and re-evaluates the policy.
 * Selectors use the default WILDCARD match type (`*` matches any characters).
 */
export interface SourcePolicyRule {
  readonly action: "ALLOW" | "DENY" | "CONVERT";
  readonly selector: { readonly identifier: string };
  readonly updates?: { readonly identifier: string };
}

export interface SourcePolicy {
  readonly rules: readonly SourcePolicyRule[];
}

export interface SourcePolicySettings {
  /** Registries (with optional repository path) base images may come from. */
  readonly allowedRegistries: readonly string[];
  /** Only `image@sha256:…` references are allowed. */
  readonly requireDigest: boolean;
  /** Tag reference → digest. */
  readonly pins: Readonly<Record<string, string>>;
  /** The SBOM scanner image BuildKit pulls for `attest:sbom`; allowed exactly. */
  readonly sbomGenerator?: string;
}

const IMAGE = "docker-image://";

/** `alpine` → `docker.io/library/alpine`, `ghcr.io/x/y` stays; what BuildKit matches against. */
export function normalizeImageName(reference: string): string {
  const first = reference.split("/")[0] ?? "";
  const hasRegistry = reference.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  if (hasRegistry) return reference;
  return reference.includes("/") ? `docker.io/${reference}` : `docker.io/library/${reference}`;
}

/**
 * Denies every image source, then allows the configured registries (digest-pinned only when required),
 * the pinned Dockerfile frontends and the SBOM generator; tag pins become CONVERT rules to `tag@digest`.
 */
export function buildSourcePolicy(settings: SourcePolicySettings, allowedFrontends: readonly string[]): SourcePolicy {
  const rules: SourcePolicyRule[] = [{ action: "DENY", selector: { identifier: `${IMAGE}*` } }];
  const suffix = settings.requireDigest ? "*@sha256:*" : "*";
  for (const registry of [...new Set(settings.allowedRegistries)].sort()) {
    rules.push({ action: "ALLOW", selector: { identifier: `${IMAGE}${registry}/${suffix}` } });
  }
  // Frontends and the SBOM generator are exact pins; their digest (when resolved) follows the tag.
  const exact = [...allowedFrontends, ...(settings.sbomGenerator !== undefined ? [settings.sbomGenerator] : [])];
  for (const frontend of [...new Set(exact)].sort()) {
    const name = normalizeImageName(frontend);
    rules.push({ action: "ALLOW", selector: { identifier: `${IMAGE}${name}` } });
    if (!name.includes("@")) rules.push({ action: "ALLOW", selector: { identifier: `${IMAGE}${name}@sha256:*` } });
  }
  for (const tagged of Object.keys(settings.pins).sort()) {
    const name = normalizeImageName(tagged);
    rules.push({ action: "CONVERT", selector: { identifier: `${IMAGE}${name}` }, updates: { identifier: `${IMAGE}${name}@${settings.pins[tagged] ?? ""}` } });
  }
  return { rules };
}

/** The policy file as BuildKit reads it (`buildctl build --source-policy-file`). */
export function renderSourcePolicy(settings: SourcePolicySettings, allowedFrontends: readonly string[]): string {
  return `${JSON.stringify(buildSourcePolicy(settings, allowedFrontends), null, 2)}\n`;
}

/** Whether an image reference passes the policy the same way BuildKit evaluates it (last ALLOW/DENY match wins). */
export function sourcePolicyAllows(policy: SourcePolicy, reference: string): boolean {
  const identifier = `${IMAGE}${normalizeImageName(reference)}`;
  let denied = false;
  for (const rule of policy.rules) {
    if (!wildcardMatches(rule.selector.identifier, identifier)) continue;
    if (rule.action === "ALLOW") denied = false;
    else if (rule.action === "DENY") denied = true;
  }
  return !denied;
}

function wildcardMatches(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return regex.test(value);
}
