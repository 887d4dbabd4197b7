import type * as pulumi from "@pulumi/pulumi";

/** A generated file (config, unit, script, rule, dashboard) that `plan` writes for review. */
export interface Artifact {
  /** Relative path under `artifacts/`, e.g. `hosts/builder-1/buildkitd.toml`. */
  readonly path: string;
  readonly content: pulumi.Input<string>;
}

/** Prefixes every artifact path with a folder. */
export function underFolder(folder: string, artifacts: readonly Artifact[]): Artifact[] {
  return artifacts.map((artifact) => ({ path: `${folder}/${artifact.path}`, content: artifact.content }));
}
