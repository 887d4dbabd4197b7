export { KUBERNETES_POOL_TYPE, KubernetesPool, type KubernetesPoolArgs } from "./kubernetes-pool";
export { kubernetesPoolSchema, type KubernetesPoolInput, type KubernetesPoolSettings } from "./args";
export { kubernetesPoolProblems, type PoolProblem } from "./validate";
export { demandQuery, desiredReplicas, stabilisedReplicas, type Demand, type Recommendation, type ReplicaBounds } from "./scaling";
export { FRONT_BACKEND, POD_PATHS, POOL_PORTS, poolNames, type KubeObject } from "./names";
export { renderPoolArtifacts, renderPoolObjects } from "./render-pool";
export { renderFrontHaproxyCfg } from "./render-front";
export { podBuildkitdSettings, renderTlsSecret } from "./render-builders";
