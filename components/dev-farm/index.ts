export { dockerServiceSchema, pinnedImageSchema, type DockerServiceInput, type DockerServiceSettings } from "./args";
export { DockerService, type ContainerFile, type DockerServiceArgs } from "./docker-service";
export { DEV_IMAGES, isPinnedImage } from "./images";
export { renderContainer, volumeName, type DockerPlacement, type RenderedContainer } from "./render-container";
