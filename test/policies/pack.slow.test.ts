import { execFile } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const PACK_DIR = path.join(__dirname, "..", "..", "policies");

// A whole `tsc` run of the pack (its own tsconfig and package.json): slow, so not in `npm test`.
describe("policies/ (the CrossGuard pack)", () => {
  it("type-checks on its own with its tsconfig", async () => {
    const result = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile("npx", ["tsc", "--noEmit", "-p", PACK_DIR], { cwd: PACK_DIR }, (error, stdout, stderr) => resolve({ code: error ? 1 : 0, out: stdout + stderr })),
    );
    expect(result.out.split("\n").filter((l) => l.includes("error TS"))).toEqual([]);
    expect(result.code).toBe(0);
  }, 180_000);
});
