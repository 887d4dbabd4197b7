import { describe, expect, it } from "vitest";
import { parseDuration, parsePercent, parseSize, systemdBytes } from "../../lib/units";

describe("parseSize", () => {
  it.each([
    ["8GiB", 8 * 1024 ** 3],
    ["512MB", 512 * 1000 ** 2],
    ["1024", 1024],
    ["1.5KiB", 1536],
    ["2tb", 2 * 1000 ** 4],
  ])("reads %s", (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each(["lots", "8 GiBs", "", "-1GB", "10%"])("rejects %j", (text) => expect(parseSize(text)).toBeUndefined());
});

describe("parsePercent / parseDuration / systemdBytes", () => {
  it("reads percentages within 0-100 only", () => {
    expect(parsePercent("80%")).toBe(80);
    expect(parsePercent("120%")).toBeUndefined();
    expect(parsePercent("80")).toBeUndefined();
  });
  it("reads durations in seconds", () => {
    expect(parseDuration("48h")).toBe(172800);
    expect(parseDuration("7d")).toBe(604800);
    expect(parseDuration("1w")).toBeUndefined();
  });
  it("writes systemd sizes in binary units", () => {
    expect(systemdBytes(8 * 1024 ** 3)).toBe("8G");
    expect(systemdBytes(1536 * 1024)).toBe("1536K");
    expect(systemdBytes(1000)).toBe("1000");
  });
});
