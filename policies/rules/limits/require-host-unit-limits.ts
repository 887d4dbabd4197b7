import { forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { unitsOf } from "../lib/buildkit";
import { lastValue, mergedServices, type UnitDirectives } from "../lib/systemd";
import { COMPONENT } from "../lib/types";

/** Each limit family and the directives that satisfy it ("infinity" does not count). */
const LIMITS: ReadonlyArray<{ family: string; directives: readonly string[] }> = [
  { family: "CPU", directives: ["CPUQuota"] },
  { family: "memory", directives: ["MemoryMax"] },
  { family: "IO", directives: ["IOWeight", "IOReadBandwidthMax", "IOWriteBandwidthMax", "IOReadIOPSMax", "IOWriteIOPSMax"] },
  { family: "tasks", directives: ["TasksMax"] },
];

function isSet(service: UnitDirectives, directive: string): boolean {
  const value = lastValue(service, `Service.${directive}`);
  return value !== undefined && value.toLowerCase() !== "infinity";
}

/** Long-running services; one-shot helpers (install, verify) finish and are not limited. */
function isDaemon(service: UnitDirectives): boolean {
  return lastValue(service, "Service.Type") !== "oneshot";
}

/** Which limit families (CPU, memory, IO, tasks) a merged service unit lacks. */
export function missingLimits(service: UnitDirectives): string[] {
  return LIMITS.filter(({ directives }) => !directives.some((d) => isSet(service, d))).map(({ family, directives }) => `${family} (${directives[0]})`);
}

export const requireHostUnitLimits: BuildfarmResourcePolicy = {
  name: "buildfarm-host-unit-limits",
  description: "Every buildkitd and exporter service unit on a build host carries CPU, memory, IO and tasks limits.",
  remediationSteps:
    "Set buildfarm:hosts[i].resources (cpuQuota, memoryMax, ioWeight or ioBandwidth, tasksMax); BuildkitHost renders them into the " +
    "service drop-in. A unit without CPUQuota/MemoryMax/IOWeight/TasksMax can starve the host (and every other build on it).",
  validateResource: forTypes([COMPONENT.buildkitHost, COMPONENT.monitoringStack], (props, args, reportViolation) => {
    const units = unitsOf(props);
    if (!units || !Object.keys(units).some((file) => file.endsWith(".service"))) {
      if (args.type !== COMPONENT.buildkitHost) args.notApplicable("no host units");
      reportViolation("the component exposes no service units (`units` prop), so its limits cannot be checked");
      return;
    }
    for (const [file, service] of mergedServices(units)) {
      if (!isDaemon(service)) continue;
      const missing = missingLimits(service);
      if (missing.length > 0) reportViolation(`${file} has no ${missing.join(", ")} limit (drop-ins included)`);
    }
  }),
};
