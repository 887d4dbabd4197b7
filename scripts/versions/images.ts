/**
 * Image pins: does the pinned tag still point at the pinned digest? A tag that moved (a rebuilt base image,
 * a re-pushed "stable-1") gets a proposal `name:tag@<new digest>` to review; nothing runs by a moving tag.
 */
import { fetchWithTimeout, type Fetcher, type PinCheck } from "./fetcher";

export interface ImageReference {
  readonly registry: string;
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
}

/** `registry/repo:tag@sha256:…` → parts; Docker Hub names get their registry and `library/` prefix. */
export function parseImageReference(reference: string): ImageReference | undefined {
  const match = /^(?:([a-z0-9.-]+\.[a-z]{2,}(?::\d+)?)\/)?([a-z0-9._/-]+):([\w.-]+)@(sha256:[a-f0-9]{64})$/.exec(reference);
  if (match === null) return undefined;
  const registry = match[1] ?? "docker.io";
  const path = match[2] ?? "";
  const repository = registry === "docker.io" && !path.includes("/") ? `library/${path}` : path;
  return { registry, repository, tag: match[3] ?? "", digest: match[4] ?? "" };
}

const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** `Bearer realm="…",service="…",scope="…"` → the token URL. */
function tokenUrl(challenge: string): string | undefined {
  const fields = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  if (!/^Bearer /i.test(challenge) || fields.realm === undefined) return undefined;
  const url = new URL(fields.realm);
  for (const key of ["service", "scope"]) if (fields[key] !== undefined) url.searchParams.set(key, fields[key]);
  return url.toString();
}

export async function checkImage(reference: string, fetcher: Fetcher = fetch, timeoutMs = 5000): Promise<PinCheck> {
  const subject = `image ${reference.replace(/@.*$/, "")}`;
  const image = parseImageReference(reference);
  if (image === undefined) return { subject, status: "invalid-answer", pinned: reference, reason: "expected a pinned reference name:tag@sha256:<64 hex>" };
  const host = image.registry === "docker.io" ? "registry-1.docker.io" : image.registry;
  const url = `https://${host}/v2/${image.repository}/manifests/${image.tag}`;
  const headers: Record<string, string> = { accept: MANIFEST_TYPES, "user-agent": "buildfarm-check-versions" };
  let response = await fetchWithTimeout(fetcher, url, { method: "HEAD", headers }, timeoutMs);
  if ("offline" in response) return { subject, status: "offline", pinned: image.digest, reason: response.offline };
  if (response.status === 401) {
    const auth = tokenUrl(response.headers.get("www-authenticate") ?? "");
    if (auth === undefined) return { subject, status: "invalid-answer", pinned: image.digest, reason: `${url} asked for credentials this check does not have` };
    const token = await fetchWithTimeout(fetcher, auth, { headers: { "user-agent": "buildfarm-check-versions" } }, timeoutMs);
    if ("offline" in token) return { subject, status: "offline", pinned: image.digest, reason: token.offline };
    const body = (await token.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
    const bearer = typeof body.token === "string" ? body.token : typeof body.access_token === "string" ? body.access_token : undefined;
    if (bearer === undefined) return { subject, status: "invalid-answer", pinned: image.digest, reason: `${new URL(auth).host} gave no token (HTTP ${token.status})` };
    response = await fetchWithTimeout(fetcher, url, { method: "HEAD", headers: { ...headers, authorization: `Bearer ${bearer}` } }, timeoutMs);
    if ("offline" in response) return { subject, status: "offline", pinned: image.digest, reason: response.offline };
  }
  if (!response.ok) return { subject, status: "invalid-answer", pinned: image.digest, reason: `${url} answered HTTP ${response.status}` };
  const current = response.headers.get("docker-content-digest") ?? "";
  if (!/^sha256:[a-f0-9]{64}$/.test(current)) return { subject, status: "invalid-answer", pinned: image.digest, reason: `${url} sent no Docker-Content-Digest` };
  if (current === image.digest) return { subject, status: "up-to-date", pinned: image.digest, latest: current };
  const proposal = `${reference.replace(/@.*$/, "")}@${current} (the tag moved; review the new image before pinning it)`;
  return { subject, status: "newer-available", pinned: image.digest, latest: current, proposal };
}
