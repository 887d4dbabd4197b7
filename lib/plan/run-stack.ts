import * as pulumi from "@pulumi/pulumi";
import { allConfig } from "@pulumi/pulumi/runtime/config";
import * as publicSettings from "@pulumi/pulumi/runtime/settings";
import { loadStackConfig } from "../../config/load";
import { buildStack } from "../../stacks";
import { mockCall, mockState } from "./mock-state";
import { resolveDeep, redactSecretInputs } from "./resolve";

export const PROJECT = "buildfarm";

/** Runtime hooks that exist in @pulumi/pulumi 3.248 but are not in its typings. */
const settings = publicSettings as typeof publicSettings & { _reset(): void; waitForRPCs(): Promise<void> };

/** One registered resource: its inputs as the program passed them, secrets redacted. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly parent: string | null;
  readonly props: unknown;
}

export interface StackRun {
  readonly resources: RecordedResource[];
  readonly outputs: unknown;
  readonly artifacts: Array<{ path: string; content: string }>;
}

export interface RunOptions {
  readonly stack: string;
  /** `buildfarm:key` → raw value (strings; objects as JSON text). */
  readonly config: Readonly<Record<string, string>>;
  readonly secretKeys?: readonly string[];
}

/**
 * Runs a stack program under `pulumi.runtime.setMocks` and waits until every registration settled.
 * Throws the ConfigError before any resource is registered when the config is invalid.
 */
export async function runStack(options: RunOptions): Promise<StackRun> {
  settings._reset();
  const registered: Array<{ type: string; name: string; urn: string; parentUrn: string; inputs: unknown }> = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        return { id: `${args.name}-id`, state: mockState(args) };
      },
      call(args) {
        return mockCall(args);
      },
    },
    PROJECT,
    options.stack,
    false,
  );
  captureRegistrations(registered);
  pulumi.runtime.setAllConfig({ ...options.config }, [...(options.secretKeys ?? [])]);

  const config = loadStackConfig(allConfig());
  const result = buildStack(config);
  const outputs = await resolveDeep(result.outputs);
  const artifacts = await Promise.all(
    result.artifacts.map(async (artifact) => ({ path: artifact.path, content: String(await resolveDeep(artifact.content)) })),
  );
  await settings.waitForRPCs();

  const nameByUrn = new Map(registered.map((r) => [r.urn, r.name]));
  const resources = registered
    .map((r) => ({ type: r.type, name: r.name, parent: nameByUrn.get(r.parentUrn) ?? null, props: sortKeys(redactSecretInputs(r.inputs)) }))
    .sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type.localeCompare(b.type)));
  artifacts.sort((a, b) => a.path.localeCompare(b.path));
  return { resources, outputs: sortKeys(outputs), artifacts };
}

/** Records each registration with its parent URN, which the mock callbacks do not see. */
function captureRegistrations(into: Array<{ type: string; name: string; urn: string; parentUrn: string; inputs: unknown }>): void {
  const monitor = settings.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, callback: (err: unknown, response: RegisterResponse | undefined) => void): Promise<void>;
  };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    original(req, (err, response) => {
      if (!err && response) {
        into.push({ type: req.getType(), name: req.getName(), urn: response.getUrn(), parentUrn: req.getParent(), inputs: req.getObject()?.toJavaScript() ?? {} });
      }
      callback(err, response);
    });
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getObject(): { toJavaScript(): unknown } | undefined;
}
interface RegisterResponse {
  getUrn(): string;
}

/** Sorts object keys recursively so JSON text is stable. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.keys(value as object).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}
