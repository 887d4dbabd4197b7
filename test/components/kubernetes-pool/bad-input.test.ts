import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../config/errors";
import { loadStackConfig } from "../../../config/load";
import { readStackFile, stackConfigFromObject } from "../../../lib/plan/stack-file";

function prodConfig(): Record<string, any> {
  const { config } = readStackFile("prod");
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, /^[[{]/.test(v) ? JSON.parse(v) : v]));
}

function problemsAfter(mutate: (pool: Record<string, any>, config: Record<string, any>) => void): string[] {
  const config = structuredClone(prodConfig());
  mutate(config["buildfarm:kubernetesPools"][0], config);
  try {
    loadStackConfig(stackConfigFromObject(config).config);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("Kubernetes pool config", () => {
  it("the shipped prod stack declares a pool and loads", () => {
    expect(problemsAfter(() => undefined)).toEqual([]);
  });

  it.each<[string, (pool: Record<string, any>) => void, string]>([
    ["min > max", (p) => (p.replicas = { min: 5, max: 3 }), "buildfarm:kubernetesPools[0].replicas.min: expected at most replicas.max (3), got 5"],
    ["storage smaller than the GC reservation", (p) => ((p.storage.size = "10Gi"), (p.gcReservedSpace = "20GB")), "buildfarm:kubernetesPools[0].storage.size: expected more than gcReservedSpace (20GB)"],
    ["a CPU limit below the request", (p) => (p.resources.limits.cpu = "2"), "buildfarm:kubernetesPools[0].resources.limits.cpu: expected at least the request (4), got 2"],
    ["an unpinned image", (p) => (p.images.buildkitd = "moby/buildkit:v0.32.2-rootless"), "buildfarm:kubernetesPools[0].images.buildkitd: expected an image pinned by digest"],
    ["a pool without a front", (p) => delete p.front, "buildfarm:kubernetesPools[0].front: expected a front section"],
  ])("refuses %s, naming the key", (_label, mutate, message) => {
    const problems = problemsAfter(mutate);
    expect(problems.some((p) => p.startsWith(message)), problems.join("\n")).toBe(true);
  });

  it("refuses Kubernetes pools in dev", () => {
    const { config } = readStackFile("dev");
    const dev = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, /^[[{]/.test(v) ? JSON.parse(v) : v]));
    dev["buildfarm:kubernetesPools"] = prodConfig()["buildfarm:kubernetesPools"];
    expect(() => loadStackConfig(stackConfigFromObject(dev).config)).toThrow(/buildfarm:kubernetesPools: expected no Kubernetes pools in dev/);
  });
});
