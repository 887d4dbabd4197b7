import { forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { addressScope, isOpenNetwork } from "../lib/addresses";
import { buildkitView, unitsOf } from "../lib/buildkit";
import { lastValue, mergedServices } from "../lib/systemd";
import { COMPONENT } from "../lib/types";

export const restrictDebugAddress: BuildfarmResourcePolicy = {
  name: "buildfarm-buildkit-debug-address",
  description: "buildkitd's debugAddress (metrics, pprof) is not reachable from public networks without an allow-list.",
  remediationSteps:
    "Bind grpc.debugAddress to 127.0.0.1 or a private address, or list the scraping networks in buildfarm:hosts[i].allowedNetworks " +
    "(rendered as IPAddressDeny=any + IPAddressAllow=… on the service). Never use \"any\" or 0.0.0.0/0.",
  validateResource: forTypes([COMPONENT.buildkitHost], (props, _args, reportViolation) => {
    const view = buildkitView(props);
    const address = view.debugAddress;
    if (address === undefined) return;
    const scope = addressScope(address);
    if (scope === "loopback" || scope === "private") return;
    const allowed = view.allowedNetworks ?? [];
    if (allowed.length === 0) {
      reportViolation(`debugAddress ${address} is ${scope === "wildcard" ? "bound to every interface" : "public"} and allowedNetworks is empty`);
      return;
    }
    const open = allowed.filter(isOpenNetwork);
    if (open.length > 0) {
      reportViolation(`debugAddress ${address} is ${scope === "wildcard" ? "bound to every interface" : "public"} and allowedNetworks admits everyone (${open.join(", ")})`);
      return;
    }
    // The allow-list must be enforced by the unit that runs buildkitd, not only declared.
    const units = unitsOf(props);
    if (units) {
      const services = [...mergedServices(units).values()];
      const enforced = services.some((s) => (s.get("Service.IPAddressDeny") ?? []).some((v) => v.split(/\s+/).includes("any")) && lastValue(s, "Service.IPAddressAllow") !== undefined);
      if (services.length > 0 && !enforced) reportViolation(`debugAddress ${address} is not loopback but no service unit sets IPAddressDeny=any with IPAddressAllow`);
    }
  }),
};
