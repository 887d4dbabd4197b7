import { MAX_PRIORITY_OFFSET_MS, type BuilderPoolSettings } from "./args";

/** One problem, with its path relative to the `pools` config key. */
export interface PoolProblem {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

/** What the pools are checked against: the stack's shared hosts and its production builder hosts. */
export interface PoolContext {
  readonly hostNames: readonly string[];
  readonly productionHostNames: readonly string[];
}

/** Every rule across all pools, collected at once (the config schema reports each under `buildfarm:pools…`). */
export function builderPoolProblems(pools: readonly BuilderPoolSettings[], context: PoolContext): PoolProblem[] {
  const problems: PoolProblem[] = [];
  const poolOfBuilder = new Map<string, string>();
  const poolNames = new Set<string>();
  pools.forEach((pool, p) => {
    if (poolNames.has(pool.name)) problems.push({ path: [p, "name"], message: `expected a unique pool name, got "${pool.name}" twice` });
    poolNames.add(pool.name);
    pool.builders.forEach((builder, b) => {
      const at = [p, "builders", b];
      if (context.productionHostNames.includes(builder)) {
        problems.push({ path: at, message: `expected a shared host, got the production builder "${builder}" (it keeps its own CA and is never in a shared pool)` });
      } else if (!context.hostNames.includes(builder)) {
        problems.push({ path: at, message: `expected the name of a hosts entry, got "${builder}" (known: ${context.hostNames.join(", ") || "none"})` });
      }
      const other = poolOfBuilder.get(builder);
      if (other !== undefined) problems.push({ path: at, message: `expected a builder in one pool only, got "${builder}" also in pool "${other}"` });
      poolOfBuilder.set(builder, pool.name);
    });
    const classes = new Set<string>();
    pool.classes.forEach((name, c) => {
      if (classes.has(name)) problems.push({ path: [p, "classes", c], message: `expected unique class names, got "${name}" twice` });
      classes.add(name);
    });
    const widestOffsetMs = (pool.classes.length - 1) * pool.agingSeconds * 1000;
    if (widestOffsetMs > MAX_PRIORITY_OFFSET_MS) {
      problems.push({ path: [p, "agingSeconds"], message: `expected (classes - 1) × agingSeconds ≤ ${Math.floor(MAX_PRIORITY_OFFSET_MS / 1000)}s (HAProxy's priority offset range), got ${widestOffsetMs / 1000}s` });
    }
    const teams = new Set<string>();
    pool.teams.forEach((team, t) => {
      if (teams.has(team.name)) problems.push({ path: [p, "teams", t, "name"], message: `expected unique team names, got "${team.name}" twice` });
      teams.add(team.name);
      if (!classes.has(team.class)) problems.push({ path: [p, "teams", t, "class"], message: `expected one of ${pool.classes.map((c) => `"${c}"`).join(", ")}, got "${team.class}"` });
    });
  });
  return problems;
}
