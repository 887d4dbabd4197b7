import * as docker from "@pulumi/docker";
import { validateResourceOfType, validateStackResourcesOfType, type PolicyResource, type ResourceValidationArgs, type StackValidationArgs, type StackValidationPolicy, type ResourceValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { evaluatePolicies, PolicyConfigError, reconcilePolicyConfig } from "../../policies/offline";
import { buildfarmPolicies } from "../../policies/rules";
import { dockerContainer, mutate, resource } from "./fixtures";

const privileged = mutate(dockerContainer(), ["privileged"], true);

describe("reconcilePolicyConfig", () => {
  it("starts from the pack level and each policy's schema defaults", () => {
    const config = reconcilePolicyConfig(buildfarmPolicies, "mandatory");
    expect([...config.values()].every((c) => c.enforcementLevel === "mandatory")).toBe(true);
    expect(config.get("buildfarm-docker-no-privileged")?.properties).toEqual({ allowPrivileged: [] });
    expect(config.get("buildfarm-buildkit-tcp-tls")?.properties).toEqual({ environment: "auto" });
  });

  it("applies `all` first and a policy's own entry over it, config files in order", () => {
    const config = reconcilePolicyConfig(
      buildfarmPolicies,
      "mandatory",
      { all: "advisory", "buildfarm-s3-tls-only": "mandatory" },
      { "buildfarm-docker-no-privileged": { enforcementLevel: "disabled", allowPrivileged: ["x"] } },
    );
    expect(config.get("buildfarm-s3-bucket-encryption")?.enforcementLevel).toBe("advisory");
    expect(config.get("buildfarm-s3-tls-only")?.enforcementLevel).toBe("mandatory");
    expect(config.get("buildfarm-docker-no-privileged")).toEqual({ enforcementLevel: "disabled", properties: { allowPrivileged: ["x"] } });
  });

  it("rejects an unknown policy name, an unknown setting and a bad level, naming them", () => {
    expect(() => reconcilePolicyConfig(buildfarmPolicies, "mandatory", { "buildfarm-s3-tls-onyl": "advisory" })).toThrow(/unknown policy "buildfarm-s3-tls-onyl"/);
    expect(() => reconcilePolicyConfig(buildfarmPolicies, "mandatory", { "buildfarm-s3-tls-only": { bucket: "x" } })).toThrow('policy config "buildfarm-s3-tls-only".bucket: not a setting of this policy (settings: none)');
    expect(() => reconcilePolicyConfig(buildfarmPolicies, "mandatory", { all: "strict" })).toThrow(PolicyConfigError);
  });
});

describe("evaluatePolicies", () => {
  it("reports violations at the configured level; disabled policies do not run", async () => {
    const run = (config: Record<string, unknown>) => evaluatePolicies([privileged], { policies: buildfarmPolicies, packEnforcementLevel: "mandatory", configs: [config] });
    expect((await run({})).violations.map((v) => [v.policy, v.level])).toEqual([["buildfarm-docker-no-privileged", "mandatory"]]);
    expect((await run({ all: "advisory" })).violations.map((v) => v.level)).toEqual(["advisory"]);
    expect((await run({ "buildfarm-docker-no-privileged": "disabled" })).violations).toEqual([]);
    expect((await run({ "buildfarm-docker-no-privileged": "remediate" })).violations.map((v) => v.level)).toEqual(["mandatory"]);
  });

  it("passes resource policies the analyzer's argument shape", async () => {
    const seen: ResourceValidationArgs[] = [];
    const probe: ResourceValidationPolicy = { name: "probe", description: "records its args", validateResource: (args) => void seen.push(args) };
    const parent = resource("buildfarm:index:DockerService", "dev-minio", {});
    const child = { ...dockerContainer(), parent: "dev-minio" };
    await evaluatePolicies([parent, child], { policies: [probe], packEnforcementLevel: "advisory", stack: "dev", stackTags: new Map([["pulumi:project", "buildfarm"]]) });
    const args = seen[1] as ResourceValidationArgs;
    expect(Object.keys(args).sort()).toEqual(["asType", "getConfig", "isType", "name", "notApplicable", "opts", "props", "stackTags", "type", "urn"]);
    expect(args.urn).toBe("urn:pulumi:dev::buildfarm::buildfarm:index:DockerService$docker:index/container:Container::dev-minio-container");
    expect(args.opts).toEqual({ protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [], parent: "urn:pulumi:dev::buildfarm::buildfarm:index:DockerService::dev-minio" });
    expect(args.isType(docker.Container)).toBe(true);
    expect(args.isType(docker.Volume)).toBe(false);
    expect(args.asType(docker.Container)?.memory).toBe(1024);
    expect(args.stackTags.get("pulumi:project")).toBe("buildfarm");
    expect(args.getConfig()).toEqual({});
    expect(() => args.notApplicable("why")).toThrow("why");
    expect(Object.isFrozen(args.props)).toBe(true);
  });

  it("runs policies written with validateResourceOfType against provider classes", async () => {
    const policy: ResourceValidationPolicy = {
      name: "docker-memory-over-512",
      description: "memory above 512 MB",
      validateResource: validateResourceOfType(docker.Container, (container, _args, report) => {
        if ((container.memory ?? 0) <= 512) report(`memory ${container.memory} MB`);
      }),
    };
    const small = mutate(dockerContainer(), ["memory"], 256);
    const result = await evaluatePolicies([small, resource("docker:index/volume:Volume", "v", {})], { policies: [policy], packEnforcementLevel: "mandatory" });
    expect(result.violations).toEqual([{ policy: "docker-memory-over-512", resource: "dev-minio-container", type: "docker:index/container:Container", level: "mandatory", message: "memory 256 MB" }]);
  });

  it("passes stack policies the resources with parents (filtered by validateStackResourcesOfType), and records not-applicable reasons", async () => {
    let stackArgs: StackValidationArgs | undefined;
    const probe: StackValidationPolicy = {
      name: "stack-probe",
      description: "records its args",
      validateStack: validateStackResourcesOfType(docker.Container, (containers, args, report) => {
        stackArgs = args;
        report(`${containers.length} container(s)`, args.resources[0]?.urn);
        report("stack-wide");
      }),
    };
    const seenNames: string[] = [];
    const skip: StackValidationPolicy = {
      name: "stack-skip",
      description: "never applies",
      validateStack: (args) => {
        seenNames.push(...args.resources.map((r) => `${r.name}<${r.parent?.name ?? ""}`));
        args.notApplicable("nothing to see");
      },
    };
    const parent = resource("buildfarm:index:DockerService", "dev-minio", {});
    const child = { ...dockerContainer(), parent: "dev-minio" };
    const result = await evaluatePolicies([parent, child], { policies: [probe, skip], packEnforcementLevel: "advisory" });
    const container = stackArgs?.resources[0] as PolicyResource;
    expect(container.parent?.name).toBe("dev-minio");
    expect(container.asType(docker.Container)).toBeDefined();
    expect(result.violations.map((v) => [v.resource, v.type, v.message])).toEqual([
      ["dev-minio-container", "docker:index/container:Container", "1 container(s)"],
      ["(stack)", "pulumi:pulumi:Stack", "stack-wide"],
    ]);
    expect(seenNames).toEqual(["dev-minio<", "dev-minio-container<dev-minio"]);
    expect(result.notApplicable).toContainEqual({ policy: "stack-skip", resource: "(stack)", reason: "nothing to see" });
  });

  it("fails loudly when a policy throws", async () => {
    const broken: ResourceValidationPolicy = { name: "broken", description: "throws", validateResource: () => { throw new Error("boom"); } };
    await expect(evaluatePolicies([dockerContainer()], { policies: [broken], packEnforcementLevel: "mandatory" })).rejects.toThrow("policy broken failed on urn:pulumi:offline::buildfarm::docker:index/container:Container::dev-minio-container: boom");
  });
});
