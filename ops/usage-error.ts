/** Bad arguments or unreadable outputs: the commands print the message and exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Exit codes shared by `health` and `report`. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
