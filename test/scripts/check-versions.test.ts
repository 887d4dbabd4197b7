import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkBuildkitVersion, describeCheck } from "../../scripts/check-versions";
import { BUILDKIT_VERSION } from "../../lib/versions";

let server: Server;
let base: string;
const answers: Record<string, { status: number; body: unknown }> = {
  "/newer": { status: 200, body: { tag_name: "v0.33.0", prerelease: false } },
  "/same": { status: 200, body: { tag_name: BUILDKIT_VERSION, prerelease: false } },
  "/rc": { status: 200, body: { tag_name: "v0.34.0-rc1", prerelease: true } },
  "/limited": { status: 403, body: { message: "API rate limit exceeded" } },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const answer = answers[req.url ?? ""] ?? { status: 404, body: {} };
    res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("check-versions", () => {
  it("reports a newer stable release and exits 1", async () => {
    const result = describeCheck(await checkBuildkitVersion(`${base}/newer`));
    expect(result).toEqual({ text: `A newer stable BuildKit release exists: v0.33.0 (pinned: ${BUILDKIT_VERSION}). Update BUILDKIT_VERSION in lib/versions.ts after testing the upgrade.`, exitCode: 1 });
  });

  it("says the pin is current when it is", async () => {
    expect(describeCheck(await checkBuildkitVersion(`${base}/same`)).text).toBe(`BuildKit pin ${BUILDKIT_VERSION} is the latest stable release (${BUILDKIT_VERSION}).`);
  });

  it("says plainly when offline, without failing", async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const result = describeCheck(await checkBuildkitVersion(`http://127.0.0.1:${port}/releases/latest`));
    expect(result.exitCode).toBe(0);
    expect(result.text).toBe(`Offline: could not reach 127.0.0.1:${port} (ECONNREFUSED). The pin v0.32.2 was NOT compared with the latest release.`);
  });

  it("does not treat a pre-release or an error answer as the latest stable", async () => {
    expect((await checkBuildkitVersion(`${base}/rc`)).status).toBe("invalid-answer");
    expect(describeCheck(await checkBuildkitVersion(`${base}/limited`))).toMatchObject({ exitCode: 2, text: expect.stringContaining("HTTP 403") });
  });
});
