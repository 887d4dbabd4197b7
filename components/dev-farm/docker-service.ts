import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { dockerServiceSchema, type DockerServiceInput, type DockerServiceSettings } from "./args";
import { renderContainer, type DockerPlacement } from "./render-container";

/** A file placed into the container before it starts (configs, certificates, scripts). */
export interface ContainerFile {
  readonly path: string;
  /** May be a secret Output (keys); it stays secret. */
  readonly content: pulumi.Input<string>;
  readonly executable?: boolean;
  /** Numeric uid (and gid) owning the file; the image's user must read its keys. @default root */
  readonly owner?: string;
  /** e.g. "0600" for keys. @default the provider's (0644) */
  readonly mode?: string;
}

export interface DockerServiceArgs {
  readonly settings: DockerServiceInput;
  readonly placement: DockerPlacement;
  readonly provider: docker.Provider;
  /** Name of the private network the service joins, under its service name as alias. */
  readonly networkName: pulumi.Input<string>;
  /** Secret environment (credentials), merged over `settings.env`. */
  readonly secretEnv?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  readonly files?: readonly ContainerFile[];
  /** Build the image locally instead of pulling it (the exporter); `settings.image` is its pinned local name. */
  readonly build?: {
    /** Build context, relative to the directory Pulumi runs in. */
    readonly context: string;
    /** Dockerfile name inside the context. */
    readonly dockerfile: string;
    readonly dependsOn: pulumi.Resource[];
  };
}

/** One pinned, limited, health-checked container with its named volumes on the dev Docker host. */
export class DockerService extends pulumi.ComponentResource {
  readonly settings: DockerServiceSettings;
  readonly container: docker.Container;
  readonly containerName: string;

  constructor(name: string, args: DockerServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    const settings = dockerServiceSchema.parse(args.settings);
    super("buildfarm:index:DockerService", name, { settings, placement: args.placement }, opts);
    this.settings = settings;
    const rendered = renderContainer(settings, args.placement);
    this.containerName = rendered.name;
    const childOpts = { parent: this, provider: args.provider };

    const image = new docker.RemoteImage(
      `${name}-image`,
      { name: rendered.image, keepLocally: true, ...(args.build ? { build: { context: args.build.context, dockerfile: args.build.dockerfile } } : {}) },
      { ...childOpts, dependsOn: args.build?.dependsOn ?? [] },
    );
    const volumes = rendered.volumes.map(
      (volume) => new docker.Volume(`${name}-${volume.volumeName}`, { name: volume.volumeName, labels: [{ label: "org.buildfarm.service", value: settings.service }] }, childOpts),
    );
    const envs = args.secretEnv === undefined
      ? rendered.envs
      : pulumi.secret(pulumi.output(args.secretEnv).apply((secret) => [...rendered.envs, ...Object.keys(secret).sort().map((key) => `${key}=${secret[key]}`)]));

    this.container = new docker.Container(
      `${name}-container`,
      {
        ...rendered,
        envs,
        networksAdvanced: [{ name: args.networkName, aliases: [settings.service] }],
        uploads: (args.files ?? []).map((file) => ({
          file: file.path,
          content: file.content,
          executable: file.executable ?? false,
          ...(file.owner !== undefined ? { owner: file.owner, group: file.owner } : {}),
          ...(file.mode !== undefined ? { permissions: file.mode } : {}),
        })),
      },
      { ...childOpts, dependsOn: [image, ...volumes] },
    );
    this.registerOutputs({ containerName: this.containerName });
  }
}
