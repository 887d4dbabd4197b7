export { builderPoolSchema, poolFrontSchema, poolTeamSchema, DEFAULT_AGENT_PORT, DEFAULT_CLASSES, type BuilderPoolInput, type BuilderPoolSettings, type PoolFront, type PoolTeam } from "./args";
export { builderPoolProblems, type PoolContext, type PoolProblem } from "./validate";
export { classOffsetMs, renderHaproxyConfig, teamBackendName, type HaproxyBackends, type HaproxyFiles, type HaproxyFrontOptions, type HaproxyServer, type HaproxyTeam } from "./render-haproxy";
export { builderAddress, defaultSlots, frontOptions, FRONT_FILES, poolServers } from "./resolve";
export { createPoolIdentities, type IssuedCertificate, type PoolIdentities, type PoolIdentitiesRequest } from "./identities";
