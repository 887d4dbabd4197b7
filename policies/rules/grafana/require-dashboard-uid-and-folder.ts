import { forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { asRecord, asString, parseJsonish } from "../lib/props";
import { GRAFANA } from "../lib/types";

/** Grafana's uid rules: 1-40 characters of letters, digits, '-' and '_'. */
const UID = /^[A-Za-z0-9_-]{1,40}$/;

export const requireDashboardUidAndFolder: BuildfarmResourcePolicy = {
  name: "buildfarm-grafana-dashboard-uid-folder",
  description: "Every Grafana dashboard has a stable uid in its JSON and lives in a folder (not General).",
  remediationSteps:
    "Set a fixed `uid` in the dashboard JSON (links and alerts point at it; a generated uid changes on every re-create) and set " +
    "`folder` to the buildfarm folder's uid.",
  validateResource: forTypes([GRAFANA.dashboard], (props, _args, reportViolation) => {
    const dashboard = asRecord(parseJsonish(props["configJson"]));
    if (!dashboard) {
      reportViolation("configJson is not a JSON object");
      return;
    }
    const uid = asString(dashboard["uid"]);
    if (uid === undefined || !UID.test(uid)) reportViolation(`dashboard "${asString(dashboard["title"]) ?? "?"}" has no stable uid (got ${JSON.stringify(dashboard["uid"] ?? null)})`);
    const folder = props["folder"];
    if (folder === undefined || folder === null || folder === "" || folder === "0" || folder === 0 || folder === "general") {
      reportViolation(`dashboard "${asString(dashboard["title"]) ?? "?"}" is not in a folder`);
    }
  }),
};
