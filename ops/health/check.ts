/** One line of the health table. */
export interface CheckResult {
  /** What was checked, e.g. "builder builder-1" or "prometheus". */
  readonly component: string;
  /** The check's name within the component, e.g. "debug workers". */
  readonly check: string;
  readonly ok: boolean;
  /** What was measured, e.g. "v0.32.2", "3/3 up", "41% free". */
  readonly measured: string;
  /** On failure: the step that failed. */
  readonly failedStep?: string;
  /** On failure: what the operator should do. */
  readonly remedy?: string;
}

/** A check to run: it gets an abort signal that fires at its time limit. */
export interface HealthCheck {
  readonly component: string;
  readonly check: string;
  readonly run: (signal: AbortSignal) => Promise<Omit<CheckResult, "component" | "check">>;
}

/** A failure at a named step; checks throw it so the table shows the step and the remedy. */
export class StepFailure extends Error {
  constructor(
    readonly step: string,
    message: string,
    readonly remedy: string,
  ) {
    super(message);
  }
}

export function pass(measured: string): Omit<CheckResult, "component" | "check"> {
  return { ok: true, measured };
}

export function fail(measured: string, failedStep: string, remedy: string): Omit<CheckResult, "component" | "check"> {
  return { ok: false, measured, failedStep, remedy };
}
