import { describe, expect, it } from "vitest";
import { globalFlags } from "../../../../components/monitoring/exporter/buildctl";
import { parseDuration, parseExporterFlags, parseSize } from "../../../../components/monitoring/exporter/cli";
import * as units from "../../../../lib/units";

describe("parseExporterFlags", () => {
  it("defaults to 127.0.0.1:9465, a 15s interval and GC limits read from buildkitd", () => {
    const flags = parseExporterFlags([]);
    expect(flags).toMatchObject({ listenHost: "127.0.0.1", listenPort: 9465, intervalSeconds: 15, historyLimit: 50, maxLogFetchesPerScan: 5, certificates: {} });
    expect(flags.gcMaxUsedBytes).toBeUndefined();
    expect(flags.buildctl).toEqual({ binary: "/usr/local/bin/buildctl", timeoutMs: 10_000 });
  });

  it("passes address and TLS flags to buildctl before the subcommand", () => {
    const flags = parseExporterFlags(["--buildctl-addr", "tcp://b1:1234", "--tlscacert", "/ca.pem", "--tlscert", "/c.pem", "--tlskey", "/k.pem", "--tlsservername", "b1", "--gc-max-used-bytes", "20GB", "--certificate", "server=/s.pem"]);
    expect(globalFlags(flags.buildctl)).toEqual(["--addr", "tcp://b1:1234", "--tlscacert", "/ca.pem", "--tlscert", "/c.pem", "--tlskey", "/k.pem", "--tlsservername", "b1"]);
    expect(flags.gcMaxUsedBytes).toBe(20e9);
    expect(flags.certificates).toEqual({ server: "/s.pem" });
  });

  it("names the flag in every error", () => {
    expect(() => parseExporterFlags(["--listen", "9465"])).toThrow('--listen: expected HOST:PORT like 127.0.0.1:9465, got "9465"');
    expect(() => parseExporterFlags(["--gc-max-used-bytes", "lots"])).toThrow('--gc-max-used-bytes: expected a size like 20GB, got "lots"');
    expect(() => parseExporterFlags(["--history-limit", "0"])).toThrow('--history-limit: expected an integer >= 1, got "0"');
    expect(() => parseExporterFlags(["--tlscert", "/c.pem"])).toThrow("--tlscert and --tlskey: expected both or neither");
    expect(() => parseExporterFlags(["--certificate", "nopath"])).toThrow('--certificate: expected NAME=PATH, got "nopath"');
    expect(() => parseExporterFlags(["--bogus"])).toThrow();
  });

  it("reads sizes and durations exactly as lib/units does", () => {
    for (const size of ["1024", "512MB", "8GiB", "1.5GB", "20gb", "lots", "10%"]) expect(parseSize(size), size).toBe(units.parseSize(size));
    for (const duration of ["15s", "5m", "48h", "7d", "soon", "1.5h"]) expect(parseDuration(duration), duration).toBe(units.parseDuration(duration));
  });
});
