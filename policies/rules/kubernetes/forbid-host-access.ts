import { forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { containersOf, podTemplateOf } from "../lib/k8s";
import { asArray, asRecord, asString, at } from "../lib/props";
import { K8S_WORKLOAD_TYPES } from "../lib/types";

export const forbidHostAccess: BuildfarmResourcePolicy = {
  name: "buildfarm-k8s-no-host-access",
  description: "No Kubernetes pod uses hostPath volumes, hostNetwork, hostPID, hostIPC or hostPort.",
  remediationSteps: "Use emptyDir or PersistentVolumeClaims instead of hostPath (BuildKit's cache belongs on a PVC), and a Service instead of host networking or host ports.",
  validateResource: forTypes(K8S_WORKLOAD_TYPES, (props, args, reportViolation) => {
    const pod = podTemplateOf(args.type, props);
    if (!pod) return;
    for (const flag of ["hostNetwork", "hostPID", "hostIPC"]) {
      if (pod.spec[flag] === true) reportViolation(`pod sets ${flag}: true`);
    }
    for (const volume of asArray(pod.spec["volumes"])) {
      const record = asRecord(volume) ?? {};
      if (record["hostPath"] !== undefined) reportViolation(`volume "${asString(record["name"]) ?? "?"}" is a hostPath (${asString(at(record, "hostPath", "path")) ?? "?"})`);
    }
    for (const view of containersOf(pod)) {
      for (const port of asArray(view.container["ports"])) {
        const hostPort = at(port, "hostPort");
        if (hostPort !== undefined && hostPort !== 0) reportViolation(`${view.kind} "${view.name}" binds hostPort ${String(hostPort)}`);
      }
    }
  }),
};
