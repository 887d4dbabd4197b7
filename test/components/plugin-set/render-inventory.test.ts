import { describe, expect, it } from "vitest";
import { parseAudit, renderInventory, type AuditEntry } from "../../../components/plugin-set/render-inventory";

const row = (over: Partial<AuditEntry>): AuditEntry => ({ name: "x", path: "/p/docker-x", status: "valid", reason: "", version: "", vendor: "", shortDescription: "", kind: "cli", ...over });

describe("renderInventory", () => {
  it("takes purposes from the catalogue, else the plugin's ShortDescription", () => {
    const inventory = renderInventory([
      row({ name: "buildx", path: "/a/docker-buildx", version: "v0.30.1", vendor: "Docker Inc.", shortDescription: "Docker Buildx" }),
      row({ name: "acme", path: "/a/docker-acme", shortDescription: "Acme helper" }),
      row({ name: "loki", path: "engine:grafana/loki-docker-driver:3.3.2", kind: "engine", shortDescription: "Loki Logging Driver" }),
    ]);
    expect(inventory.entries.map((e) => [e.name, e.purpose])).toEqual([
      ["buildx", "BuildKit front end for `docker build`: builders, multi-platform builds, cache import/export, bake."],
      ["acme", "Acme helper"],
      ["loki", "Loki Logging Driver"],
    ]);
  });

  it("keeps the audit's order (winner before shadowed copies) and counts statuses", () => {
    const inventory = renderInventory([
      row({ name: "zed", path: "/z/docker-zed", status: "invalid", reason: "plugin metadata does not define a vendor" }),
      row({ name: "b", path: "/2/docker-b", status: "valid" }),
      row({ name: "b", path: "/1/docker-b", status: "shadowed", reason: "shadowed by /2/docker-b" }),
    ]);
    expect(inventory.entries.map((e) => e.path)).toEqual(["/z/docker-zed", "/2/docker-b", "/1/docker-b"]);
    expect(inventory.counts).toEqual({ valid: 1, invalid: 1, shadowed: 1 });
  });

  it("renders a Markdown table that survives pipes and newlines in values", () => {
    const { markdown } = renderInventory([row({ name: "odd", path: "/p/docker-odd", status: "invalid", reason: "a|b\nc", shortDescription: "x" })]);
    expect(markdown).toBe(
      [
        "# Docker plugin inventory",
        "",
        "0 valid, 1 invalid, 0 shadowed",
        "",
        "| Name | Kind | Status | Version | Vendor | Path | Purpose | Reason |",
        "|---|---|---|---|---|---|---|---|",
        "| odd | cli | invalid | - | - | /p/docker-odd | x | a\\|b c |",
        "",
      ].join("\n"),
    );
  });

  it("treats empty audit output as an empty inventory, and rejects malformed output", () => {
    expect(renderInventory(parseAudit("")).markdown).toContain("No plugins found");
    expect(() => parseAudit('[{"name":"x"}]')).toThrow();
  });
});
