import type { Artifact } from "../lib/artifacts";
import type { StackOutputs } from "./outputs";

/** What a stack program returns: its outputs and the files `plan` shows. */
export interface StackResult {
  readonly outputs: StackOutputs;
  readonly artifacts: readonly Artifact[];
}
