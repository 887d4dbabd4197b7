import * as pulumi from "@pulumi/pulumi";
import * as publicSettings from "@pulumi/pulumi/runtime/settings";
import { describe, expect, it } from "vitest";
import { mockCall, mockState } from "../../../lib/plan/mock-state";

const settings = publicSettings as typeof publicSettings & { _reset(): void };

describe("createPoolIdentities", () => {
  it("issues one client certificate per team carrying team (CN) and class (OU), keys as secrets", async () => {
    settings._reset();
    const requests: Array<{ name: string; props: Record<string, any> }> = [];
    await pulumi.runtime.setMocks({ newResource: (a) => { requests.push({ name: a.name, props: a.inputs }); return { id: `${a.name}-id`, state: mockState(a) }; }, call: mockCall }, "buildfarm", "test", false);
    const { createPoolIdentities } = await import("../../../components/builder-pool");
    const parent = new pulumi.ComponentResource("buildfarm:test:Parent", "parent");
    const identities = createPoolIdentities({ poolName: "ci", frontNames: ["pool.example.com", "10.0.0.9"], teams: [{ name: "web", className: "release" }, { name: "api", className: "pull-request" }], validityHours: 8760 }, parent);
    const keySecret = await (identities.teams.web!.keyPem as unknown as { isSecret: Promise<boolean> }).isSecret;
    const caKeySecret = await (identities.caKeyPem as unknown as { isSecret: Promise<boolean> }).isSecret;
    await new Promise((r) => setTimeout(r, 50));
    const subject = (name: string) => requests.find((r) => r.name === name)?.props.subject;
    expect(subject("ci-pool-team-web-csr")).toMatchObject({ commonName: "web", organizationalUnit: "release" });
    expect(subject("ci-pool-team-api-csr")).toMatchObject({ commonName: "api", organizationalUnit: "pull-request" });
    expect(requests.find((r) => r.name === "ci-pool-front-csr")?.props).toMatchObject({ dnsNames: ["pool.example.com"], ipAddresses: ["10.0.0.9"] });
    expect(requests.find((r) => r.name === "ci-pool-ca")?.props).toMatchObject({ isCaCertificate: true });
    expect(Object.keys(identities.teams)).toEqual(["web", "api"]);
    expect([keySecret, caKeySecret]).toEqual([true, true]);
  });
});
