import type { PolicyPackConfigFile } from "../../../policies/offline";
import type { Resource } from "../fixtures";

export interface PolicyCase {
  readonly policy: string;
  /** Reads as a rule: "rejects a TCP listener without TLS". */
  readonly name: string;
  readonly resources: readonly Resource[];
  readonly config?: PolicyPackConfigFile;
  /** The exact violations, as [resource name, message]; empty for a compliant case. */
  readonly expect: ReadonlyArray<readonly [string, string]>;
}
