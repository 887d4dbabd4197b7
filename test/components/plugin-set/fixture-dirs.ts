import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, writePlugin } from "./helpers";

export interface PluginDirs {
  readonly root: string;
  readonly home: string;
  readonly dockerConfig: string;
  readonly userDir: string;
  readonly extraDir: string;
  /** HOME and DOCKER_CONFIG for the docker CLI and the scripts. */
  readonly env: Record<string, string>;
}

/**
 * Plugin directories holding one case of each rule the Docker CLI applies. Fixtures live only in
 * `cliPluginsExtraDirs` and `$DOCKER_CONFIG/cli-plugins`, the two places the Docker CLI lets us redirect.
 */
export function makePluginDirs(): PluginDirs {
  const root = tempDir("dirs");
  const home = join(root, "home");
  const dockerConfig = join(root, "docker-config");
  const userDir = join(dockerConfig, "cli-plugins");
  const extraDir = join(root, "extra-plugins");
  for (const dir of [home, userDir, extraDir]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(dockerConfig, "config.json"), JSON.stringify({ cliPluginsExtraDirs: [extraDir] }));

  const good = { SchemaVersion: "0.1.0", Vendor: "Acme Corp", Version: "v1.2.3", ShortDescription: "A \"quoted\" helper" };
  writePlugin(join(extraDir, "docker-valid"), "valid", good);
  // Shadowed duplicate: same name in the later $DOCKER_CONFIG/cli-plugins.
  writePlugin(join(userDir, "docker-valid"), "valid", { ...good, Version: "v0.9.0" });
  writePlugin(join(userDir, "docker-metafail"), "metafail", good, { failMetadata: true });
  writePlugin(join(userDir, "docker-noexec"), "noexec", good, { executable: false });
  symlinkSync(join(root, "does-not-exist"), join(userDir, "docker-dangling"));
  writePlugin(join(userDir, "docker-BadName"), "BadName", good);
  writePlugin(join(userDir, "docker-ps"), "ps", good);
  writePlugin(join(userDir, "docker-novendor"), "novendor", { SchemaVersion: "0.1.0", Version: "v2.0.0" });
  writePlugin(join(userDir, "docker-oldschema"), "oldschema", { SchemaVersion: "0.0.1", Vendor: "Acme Corp" });
  writePlugin(join(userDir, "docker-garbage"), "garbage", "this is not json");
  writeFileSync(join(userDir, "docker-html"), "<!DOCTYPE html><html><body>Not Found</body></html>\n");
  chmodSync(join(userDir, "docker-html"), 0o755);
  // Not candidates at all: a directory and a file without the docker- prefix.
  mkdirSync(join(userDir, "docker-adir"));
  writePlugin(join(userDir, "helper"), "helper", good);
  return { root, home, dockerConfig, userDir, extraDir, env: { HOME: home, DOCKER_CONFIG: dockerConfig } };
}
