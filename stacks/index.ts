import type { StackConfig } from "../config/schema";
import { buildDevStack } from "./dev";
import { buildProdStack } from "./prod";
import type { StackResult } from "./types";

export type { StackResult } from "./types";

/** Composes the stack for the configured environment. */
export function buildStack(config: StackConfig): StackResult {
  switch (config.environment) {
    case "dev":
      return buildDevStack(config);
    case "prod":
      return buildProdStack(config);
    default: {
      const unreachable: never = config.environment;
      throw new Error(`unknown environment ${String(unreachable)}`);
    }
  }
}
