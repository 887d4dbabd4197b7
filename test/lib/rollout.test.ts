import { describe, expect, it } from "vitest";
import { planRollout, predecessorsOf, runRollout, type HostOutcome } from "../../lib/rollout";

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `builder-${i + 1}`);

describe("planRollout", () => {
  it("upgrades the first host alone as the canary, then one host at a time by default", () => {
    expect(planRollout(hosts(4)).batches).toEqual([["builder-1"], ["builder-2"], ["builder-3"], ["builder-4"]]);
  });

  it("batches the hosts after the canary by maxUnavailable, the last batch holding the remainder", () => {
    expect(planRollout(hosts(6), { maxUnavailable: 2 }).batches).toEqual([["builder-1"], ["builder-2", "builder-3"], ["builder-4", "builder-5"], ["builder-6"]]);
  });

  it("plans nothing for an empty pool and only the canary for one host", () => {
    expect(planRollout([]).batches).toEqual([]);
    expect(planRollout(["solo"], { maxUnavailable: 3 }).batches).toEqual([["solo"]]);
  });

  it("refuses maxUnavailable below 1 or fractional, and a host listed twice", () => {
    expect(() => planRollout(hosts(2), { maxUnavailable: 0 })).toThrow("maxUnavailable: expected a whole number of at least 1, got 0");
    expect(() => planRollout(hosts(2), { maxUnavailable: 1.5 })).toThrow("got 1.5");
    expect(() => planRollout(["a", "b", "a"])).toThrow('host "a" is listed twice');
  });

  it("makes each batch wait for every host of the batch before it", () => {
    const plan = planRollout(hosts(5), { maxUnavailable: 2 });
    expect(predecessorsOf(plan, "builder-1")).toEqual([]);
    expect(predecessorsOf(plan, "builder-3")).toEqual(["builder-1"]);
    expect(predecessorsOf(plan, "builder-4")).toEqual(["builder-2", "builder-3"]);
    expect(() => predecessorsOf(plan, "nope")).toThrow('host "nope" is not in the plan');
  });
});

describe("runRollout", () => {
  it("halts at the first failed verification: earlier hosts upgraded, later hosts untouched, the failure named", async () => {
    const calls: string[] = [];
    const result = await runRollout(planRollout(hosts(6)), async (host): Promise<HostOutcome> => {
      calls.push(host);
      return host === "builder-3" ? { host, verified: false, failedStep: "verify: buildctl debug workers" } : { host, verified: true };
    });
    expect(calls).toEqual(["builder-1", "builder-2", "builder-3"]);
    expect(result).toEqual({ upgraded: ["builder-1", "builder-2"], failed: { host: "builder-3", failedStep: "verify: buildctl debug workers" }, untouched: ["builder-4", "builder-5", "builder-6"] });
  });

  it("upgrades every host when all verify", async () => {
    const result = await runRollout(planRollout(hosts(3), { maxUnavailable: 2 }), async (host) => ({ host, verified: true }));
    expect(result).toEqual({ upgraded: ["builder-1", "builder-2", "builder-3"], untouched: [] });
  });
});
