/** Classifies listen addresses: loopback, private (RFC 1918 / ULA / link-local), wildcard or public. */

export type AddressScope = "loopback" | "private" | "wildcard" | "public";

/** Host part of "tcp://h:p", "h:p", "[v6]:p" or a bare host. */
export function hostOf(address: string): string {
  const withoutScheme = address.replace(/^[a-z]+:\/\//i, "");
  const bracketed = /^\[([^\]]*)\](?::\d+)?$/.exec(withoutScheme);
  if (bracketed) return bracketed[1] ?? "";
  const colons = withoutScheme.split(":").length - 1;
  // One colon: host:port. More: a bare IPv6 address without a port.
  return colons === 1 ? withoutScheme.slice(0, withoutScheme.indexOf(":")) : withoutScheme;
}

function ipv4(host: string): number[] | undefined {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return undefined;
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

export function addressScope(address: string): AddressScope {
  const host = hostOf(address).toLowerCase();
  if (host === "" || host === "0.0.0.0" || host === "::" || host === "*") return "wildcard";
  if (host === "localhost" || host === "::1") return "loopback";
  const v4 = ipv4(host);
  if (v4) {
    const [a = 0, b = 0] = v4;
    if (a === 127) return "loopback";
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127)) return "private";
    return "public";
  }
  if (host.includes(":")) return /^(fc|fd|fe8|fe9|fea|feb)/.test(host) ? "private" : "public";
  // A DNS name may resolve to anything: treat it as public.
  return "public";
}

/** True when an allow-list entry admits everyone. */
export function isOpenNetwork(entry: string): boolean {
  return ["any", "0.0.0.0/0", "::/0", "*"].includes(entry.trim().toLowerCase());
}
