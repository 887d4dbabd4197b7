import { createServer, type Server } from "node:http";
import type { InsightsCollector } from "./collector";

/** Serves /metrics (Prometheus text), /history (last N builds as JSON) and /healthz. */
export function createExporterServer(collector: InsightsCollector): Server {
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") {
      res.writeHead(405, { allow: "GET" }).end();
      return;
    }
    switch (path) {
      case "/metrics":
        collector.registry
          .metrics()
          .then((text) => res.writeHead(200, { "content-type": collector.registry.contentType }).end(text))
          .catch((error: Error) => res.writeHead(500).end(error.message));
        return;
      case "/history":
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(collector.history));
        return;
      case "/healthz":
        res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
        return;
      default:
        res.writeHead(404, { "content-type": "text/plain" }).end("not found: try /metrics\n");
    }
  });
}
