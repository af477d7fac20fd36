/**
 * Why this file exists: the matrix drives a release's workflow through branches that Google and the
 * customer would take days to produce, so its activities are stubs. They answer with THAT release's
 * shapes (its own test/support/stub-activities.ts, loaded from its tree), and a scenario says, per
 * activity, what it does instead: hold until the driver lets it go (to cancel or signal "during" a
 * step), fail, or answer something else.
 */
import { ApplicationFailure } from '@temporalio/common';

type Activity = (input: unknown) => Promise<unknown>;
export type Activities = Record<string, Activity>;

/** The parts of a release's test/support/stub-activities.ts the matrix uses (the same at 0.2, 0.3, 0.4). */
export interface StubsModule {
  stubActivities(overrides?: Record<string, Activity>, waits?: unknown): { activities: Activities };
  TEST_WAIT_DEFAULTS: unknown;
}

/** One step held open: entered when the workflow calls it, finishing only when `let()` is called. */
export class Hold {
  entered = false;
  private open!: () => void;
  private readonly opened = new Promise<void>((resolve) => (this.open = resolve));
  constructor(readonly activity: string) {}
  let(): void {
    this.open();
  }
  /** The activity as held: waits to be let go, then does `then` (by default what the release's stub does). */
  wrap(then: Activity): Activity {
    return async (input) => {
      this.entered = true;
      await this.opened;
      return then(input);
    };
  }
}

/** A refusal the workflow cannot retry: what a step's failure looks like to it. */
export const fail =
  (type = 'StubRefusal', message = 'refused by the matrix stub'): Activity =>
  async () => {
    throw ApplicationFailure.nonRetryable(message, type);
  };

export interface ScenarioStubs {
  activities: Activities;
  /** Every activity called, in order. */
  calls: string[];
  /** The release's own answer for an activity, for overrides that answer "as usual" after a while. */
  base: Activities;
}

/**
 * The release's stubs with a scenario's overrides. An override gets the release's own implementation,
 * so that it can decide per input (a refused token, then a good one).
 */
export function scenarioStubs(
  mod: StubsModule,
  overrides: Record<string, (base: Activity) => Activity> = {},
): ScenarioStubs {
  const base = mod.stubActivities({}, mod.TEST_WAIT_DEFAULTS).activities;
  const calls: string[] = [];
  const activities: Activities = {};
  for (const [name, implementation] of Object.entries(base)) {
    const chosen = overrides[name]?.(implementation) ?? implementation;
    activities[name] = (input) => {
      calls.push(name);
      return chosen(input);
    };
  }
  for (const name of Object.keys(overrides)) {
    if (!(name in base)) throw new Error(`the release's stubs have no activity ${name}`);
  }
  return { activities, calls, base };
}
