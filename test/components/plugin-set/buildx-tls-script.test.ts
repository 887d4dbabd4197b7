import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildxClientFilesCommand } from "../../../components/plugin-set";
import { tempDir } from "./helpers";

/** Runs the command the dev stack runs (script on stdin, PEMs in the environment). */
function run(command: string, stdin: string, env: Record<string, string> = {}): number {
  return spawnSync("sh", ["-c", command], { input: stdin, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env }, encoding: "utf8" }).status ?? -1;
}
const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe("plugin-buildx-tls.sh (the dev buildx client files)", () => {
  it("ends with the key at 0600 when the key file already existed as 0644", () => {
    const dir = join(tempDir("tls"), "buildx-tls");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "client-key.pem"), "old key\n", { mode: 0o644 });
    expect(mode(join(dir, "client-key.pem"))).toBe("644");
    const { create, stdin } = buildxClientFilesCommand(dir);
    expect(run(create, stdin, { CA: "ca pem", CERT: "cert pem", KEY: "new key" })).toBe(0);
    expect(mode(join(dir, "client-key.pem"))).toBe("600");
    expect(readFileSync(join(dir, "client-key.pem"), "utf8")).toBe("new key");
    expect([mode(join(dir, "ca.pem")), mode(join(dir, "client.pem"))]).toEqual(["644", "644"]);
  });

  it("refuses to write without a key, and removes the files on delete", () => {
    const dir = join(tempDir("tls"), "buildx-tls");
    const { create, delete: remove, stdin } = buildxClientFilesCommand(dir);
    expect(run(create, stdin, { CA: "ca", CERT: "cert" })).not.toBe(0);
    expect(run(create, stdin, { CA: "ca", CERT: "cert", KEY: "key" })).toBe(0);
    expect(run(remove, stdin)).toBe(0);
    expect(spawnSync("ls", ["-A", dir], { encoding: "utf8" }).stdout).toBe("");
  });
});
