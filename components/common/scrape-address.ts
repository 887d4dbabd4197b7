import type { Connection } from "./connection";

/** A listen address as Prometheus dials it: a wildcard bind on an SSH host becomes the host's SSH name. */
export function scrapeAddress(connection: Connection, listen: string): string {
  const port = listen.slice(listen.lastIndexOf(":") + 1);
  const bind = listen.slice(0, listen.lastIndexOf(":"));
  const reachable = connection.type === "ssh" && ["0.0.0.0", "[::]", "::"].includes(bind) ? connection.host : bind;
  return `${reachable}:${port}`;
}
