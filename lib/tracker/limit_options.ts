/**
 * Every limit an operator may change, described once: the table yields the tracker's command-line
 * options (and so its `--help`, through `lib/cli.ts`), the keys of a `--config` JSON file, and the
 * parsed, range-checked numbers. The defaults and why they are what they are live in
 * `defaults.ts`. Pure: reading the config file is the caller's.
 *
 * @module
 */

import type { OptionSpec } from "../cli.ts";
import {
  HOST_RATE_LIMIT_BURST,
  HOST_RATE_LIMIT_PER_SECOND,
  MAX_PUBLICATIONS_PER_USER,
  MAX_SEARCH_STEPS,
  MAX_SESSIONS,
  RATE_LIMIT_BURST,
  RATE_LIMIT_PER_SECOND,
  V2_SESSION_TIMEOUT_MS,
} from "./defaults.ts";
import { withoutBom } from "../util/mod.ts";

/** The limits, as the tracker's parts take them. */
export interface TrackerLimits {
  readonly sourceRate: number;
  readonly sourceBurst: number;
  readonly hostRate: number;
  readonly hostBurst: number;
  readonly maxSessions: number;
  readonly maxPublicationsPerUser: number;
  readonly maxSearchSteps: number;
  readonly sessionTimeoutMs: number;
}

/** One limit: its flag (also its key in a config file), range, default and words for `--help`. */
export interface LimitOption {
  readonly flag: string;
  readonly key: keyof TrackerLimits;
  readonly value: string;
  readonly description: string;
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

const MAX = 1_000_000_000;

/** Every limit, in the order `--help` lists them. */
export const LIMIT_OPTIONS: readonly LimitOption[] = [
  {
    flag: "source-rate",
    key: "sourceRate",
    value: "N",
    description:
      "datagrams per second one source address (ip:port) may send; the excess is dropped",
    default: RATE_LIMIT_PER_SECOND,
    min: 1,
    max: MAX,
  },
  {
    flag: "source-burst",
    key: "sourceBurst",
    value: "N",
    description: "datagrams one source address may send at once above its rate",
    default: RATE_LIMIT_BURST,
    min: 1,
    max: MAX,
  },
  {
    flag: "host-rate",
    key: "hostRate",
    value: "N",
    description: "datagrams per second one host (ip, any port) may send; raise it for peers " +
      "behind a large (carrier-grade) NAT",
    default: HOST_RATE_LIMIT_PER_SECOND,
    min: 1,
    max: MAX,
  },
  {
    flag: "host-burst",
    key: "hostBurst",
    value: "N",
    description: "datagrams one host may send at once above its rate",
    default: HOST_RATE_LIMIT_BURST,
    min: 1,
    max: MAX,
  },
  {
    flag: "max-sessions",
    key: "maxSessions",
    value: "N",
    description: "live sessions at most; a login past it is refused",
    default: MAX_SESSIONS,
    min: 1,
    max: MAX,
  },
  {
    flag: "max-publications",
    key: "maxPublicationsPerUser",
    value: "N",
    description: "publications one user may hold; a pub past it is refused",
    default: MAX_PUBLICATIONS_PER_USER,
    min: 1,
    max: MAX,
  },
  {
    flag: "max-search-steps",
    key: "maxSearchSteps",
    value: "N",
    description: "the most work one search may do (index entries visited)",
    default: MAX_SEARCH_STEPS,
    min: 1,
    max: MAX,
  },
  {
    flag: "session-timeout",
    key: "sessionTimeoutMs",
    value: "MS",
    description: "how long a silent v2 session lives; its peers beat 3 times as often " +
      "(v1 sessions keep 3000)",
    default: V2_SESSION_TIMEOUT_MS,
    min: 1500,
    max: 9_999_999,
  },
];

/** The limits' command-line options, for a `CommandSpec`. */
export function limitOptionSpecs(): Record<string, OptionSpec> {
  const specs: Record<string, OptionSpec> = {};
  for (const option of LIMIT_OPTIONS) {
    // No parser default: a flag not given leaves room for the config file's value.
    specs[option.flag] = {
      type: "string",
      value: option.value,
      description: `${option.description} (default: ${option.default})`,
    };
  }
  return specs;
}

/** A limit's value is out of range or not a whole number; `where` names the flag or file. */
export class LimitError extends Error {
  override name = "LimitError";
}

/** The value of one limit, checked; throws {@linkcode LimitError}. */
function checked(option: LimitOption, value: unknown, where: string): number {
  const number = typeof value === "string" && /^\d{1,10}$/.test(value)
    ? Number(value)
    : typeof value === "number"
    ? value
    : NaN;
  if (!Number.isSafeInteger(number) || number < option.min || number > option.max) {
    throw new LimitError(
      `invalid ${where} ${JSON.stringify(value)}: expected a whole number from ${option.min} ` +
        `to ${option.max}`,
    );
  }
  return number;
}

/**
 * Parses the config file's text: a JSON object whose keys are limit flags (`"host-rate": 50000`).
 * Throws {@linkcode LimitError} for bad JSON, an unknown key or a bad value.
 */
export function parseLimitConfig(text: string, file: string): Partial<TrackerLimits> {
  let parsed: unknown;
  try {
    // Editors on Windows start a UTF-8 file with a byte-order mark, which JSON.parse refuses.
    parsed = JSON.parse(withoutBom(text));
  } catch (error) {
    throw new LimitError(`${file}: not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new LimitError(`${file}: expected a JSON object of limits`);
  }
  const limits: Partial<Record<keyof TrackerLimits, number>> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const option = LIMIT_OPTIONS.find((candidate) => candidate.flag === key);
    if (option === undefined) {
      throw new LimitError(
        `${file}: unknown setting "${key}" (known: ${LIMIT_OPTIONS.map((o) => o.flag).join(", ")})`,
      );
    }
    limits[option.key] = checked(option, value, `${file}: "${key}"`);
  }
  return limits;
}

/**
 * The limits from parsed command-line values, over those of a config file, over the defaults.
 * Throws {@linkcode LimitError} for a bad flag value.
 *
 * @example
 * ```ts
 * import { resolveLimits } from "./limit_options.ts";
 * const limits = resolveLimits({ "host-rate": "50000" }, { maxSessions: 5 });
 * console.assert(limits.hostRate === 50000 && limits.maxSessions === 5);
 * console.assert(limits.sourceRate === 100);
 * ```
 */
export function resolveLimits(
  values: Readonly<Record<string, string | boolean | undefined>>,
  config: Partial<TrackerLimits> = {},
): TrackerLimits {
  const limits: Partial<Record<keyof TrackerLimits, number>> = {};
  for (const option of LIMIT_OPTIONS) {
    const given = values[option.flag];
    limits[option.key] = typeof given === "string"
      ? checked(option, given, `--${option.flag}`)
      : config[option.key] ?? option.default;
  }
  return limits as TrackerLimits;
}
