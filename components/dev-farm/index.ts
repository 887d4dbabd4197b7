export { dockerServiceSchema, pinnedImageSchema, type DockerServiceInput, type DockerServiceSettings } from "./args";
export { DockerService, type ContainerFile, type DockerServiceArgs } from "./docker-service";
export { DEV_IMAGES, isPinnedImage } from "./images";
export { renderContainer, volumeName, type DockerPlacement, type RenderedContainer } from "./render-container";
export { EXPORTER_IMAGE_REPOSITORY, exporterImageName, renderExporterContextCommand, renderExporterDockerfile } from "./render-exporter-image";
export { MINIO_SETUP_DIR, renderMinioUserScript, type MinioUserSettings } from "./render-minio-setup";
export { buildkitdService, DEV_PORTS, DEV_SERVICES, EXPORTER_PATHS, exporterService, minioService, minioSetupJob, ROOTLESS_PATHS } from "./services";
export { BuilderTls, type BuilderTlsArgs } from "./builder-tls";
