import { z } from "zod";

/** Where a host-level component runs its commands: this machine, or a Linux host over SSH. */
export const connectionSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("local"),
    /** Run host-changing scripts through `sudo -n` (Pulumi itself usually runs unprivileged). @default false */
    sudo: z.boolean().optional(),
  }),
  z.strictObject({
    type: z.literal("ssh"),
    /** DNS name or address of the host. */
    host: z.string().min(1, { error: "expected a host name or address" }),
    /** @default 22 */
    port: z.number().int().min(1).max(65535).default(22),
    /** @default "root" */
    user: z.string().regex(/^[a-z_][a-z0-9_-]*$/, { error: "expected a POSIX user name" }).default("root"),
    /** Use the SSH agent instead of the `sshPrivateKey` secret. @default false */
    useAgent: z.boolean().default(false),
    /** Run host-changing scripts through `sudo -n`. @default - true unless user is "root" */
    sudo: z.boolean().optional(),
  }),
]);

export type Connection = z.output<typeof connectionSchema>;

export const resourceNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,40}$/, { error: "expected a lower-case name like \"builder-1\" (letters, digits, dashes, max 41)" });

/** True when scripts on this host must run through `sudo -n` to be root. */
export function needsSudo(connection: Connection): boolean {
  return connection.type === "ssh" ? (connection.sudo ?? connection.user !== "root") : (connection.sudo ?? false);
}

/** Prefixes a command so it runs as root on the host. */
export function asRoot(connection: Connection, command: string): string {
  return needsSudo(connection) ? `sudo -n ${command}` : command;
}
