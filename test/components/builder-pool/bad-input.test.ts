import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../config/errors";
import { loadStackConfig } from "../../../config/load";
import { builderPoolSchema } from "../../../components/builder-pool";
import { readStackFile, stackConfigFromObject } from "../../../lib/plan/stack-file";

const hosts = [1, 2].map((n) => ({ name: `builder-${n}`, connection: { type: "local" }, arch: "amd64", buildkitd: { grpc: { tcpAddress: `tcp://0.0.0.0:${1233 + n}` } } }));
const pool = () => ({ name: "ci", builders: ["builder-1", "builder-2"], teams: [{ name: "web", class: "release", maxConcurrentBuilds: 2 }] });

function problemsFor(pools: unknown[]): string[] {
  try {
    loadStackConfig({ "buildfarm:environment": "dev", "buildfarm:hosts": JSON.stringify(hosts), "buildfarm:pools": JSON.stringify(pools) });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("BuilderPool settings: bad input names the key", () => {
  it("accepts a pool over two hosts with one team", () => {
    expect(problemsFor([pool()])).toEqual([]);
  });

  it("rejects a team without a class", () => {
    const p = pool();
    delete (p.teams[0] as Partial<(typeof p.teams)[0]>).class;
    expect(problemsFor([p]).join("\n")).toMatch(/^buildfarm:pools\[0\]\.teams\[0\]\.class: /m);
  });

  it("rejects a class not in the pool's list", () => {
    const p = { ...pool(), teams: [{ name: "web", class: "nightly", maxConcurrentBuilds: 2 }] };
    expect(problemsFor([p])).toContain('buildfarm:pools[0].teams[0].class: expected one of "release", "default-branch", "pull-request", got "nightly"');
  });

  it("rejects a quota of 0", () => {
    const p = { ...pool(), teams: [{ name: "web", class: "release", maxConcurrentBuilds: 0 }] };
    expect(problemsFor([p])).toContain("buildfarm:pools[0].teams[0].maxConcurrentBuilds: expected at least 1 concurrent build, got number 0");
  });

  it("rejects a pool with no builders", () => {
    expect(problemsFor([{ ...pool(), builders: [] }])).toContain("buildfarm:pools[0].builders: expected at least one builder in the pool, got a list");
  });

  it("rejects a builder in two pools", () => {
    expect(problemsFor([pool(), { ...pool(), name: "nightly", builders: ["builder-2"] }])).toContain('buildfarm:pools[1].builders[0]: expected a builder in one pool only, got "builder-2" also in pool "ci"');
  });

  it("rejects a builder that is not a hosts entry", () => {
    expect(problemsFor([{ ...pool(), builders: ["builder-9"] }])).toContain('buildfarm:pools[0].builders[0]: expected the name of a hosts entry, got "builder-9" (known: builder-1, builder-2)');
  });

  it("rejects an aging step beyond HAProxy's priority offset range", () => {
    expect(problemsFor([{ ...pool(), agingSeconds: 300 }])).toContain("buildfarm:pools[0].agingSeconds: expected (classes - 1) × agingSeconds ≤ 524s (HAProxy's priority offset range), got 600s");
  });

  it("documents its defaults", () => {
    const resolved = builderPoolSchema.parse(pool());
    expect(resolved).toMatchObject({
      queueTimeout: "30m", idleTimeout: "1h", classes: ["release", "default-branch", "pull-request"], agingSeconds: 60, agentPort: 9470, queueWaitSlo: "5m", teamAtQuotaFor: "30m",
      front: { listenAddress: "0.0.0.0:8443", metricsAddress: "0.0.0.0:8405", allowedNetworks: ["localhost"] },
    });
    expect(resolved.buildsPerBuilder).toBeUndefined();
  });
});

describe("BuilderPool settings in the prod stack", () => {
  it("rejects the production builder in a shared pool", () => {
    const { config } = readStackFile("prod");
    const values = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, /^[[{]/.test(v) ? JSON.parse(v) : v]));
    const production = values["buildfarm:productionBuilder"].hosts[0].name as string;
    const shared = (values["buildfarm:hosts"] as Array<{ name: string }>)[0]!.name;
    values["buildfarm:pools"] = [{ name: "ci", builders: [shared, production], teams: [{ name: "web", class: "release", maxConcurrentBuilds: 1 }] }];
    let problems: string[] = [];
    try {
      loadStackConfig(stackConfigFromObject(values).config);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = [...error.problems];
    }
    expect(problems).toContain(`buildfarm:pools[0].builders[1]: expected a shared host, got the production builder "${production}" (it keeps its own CA and is never in a shared pool)`);
  });
});
