import assert from "node:assert/strict";
import { helpText } from "../cli.ts";
import {
  LIMIT_OPTIONS,
  LimitError,
  limitOptionSpecs,
  parseLimitConfig,
  resolveLimits,
} from "./limit_options.ts";
import { HOST_RATE_LIMIT_PER_SECOND, MAX_SESSIONS, V2_SESSION_TIMEOUT_MS } from "./defaults.ts";

Deno.test("limits default to defaults.ts; flags beat the config file, which beats the defaults", () => {
  const defaults = resolveLimits({});
  assert.equal(defaults.hostRate, HOST_RATE_LIMIT_PER_SECOND);
  assert.equal(defaults.maxSessions, MAX_SESSIONS);
  assert.equal(defaults.sessionTimeoutMs, V2_SESSION_TIMEOUT_MS);
  const limits = resolveLimits(
    { "host-rate": "50000", "max-search-steps": "1000" },
    { hostRate: 9, maxSessions: 7 },
  );
  assert.equal(limits.hostRate, 50000);
  assert.equal(limits.maxSessions, 7);
  assert.equal(limits.maxSearchSteps, 1000);
});

Deno.test("a limit outside its range or not a whole number is refused, naming the flag", () => {
  for (
    const [flag, value] of [
      ["session-timeout", "1499"],
      ["max-sessions", "0"],
      ["host-rate", "1.5"],
      ["source-rate", "-3"],
      ["max-publications", "99999999999"],
    ]
  ) {
    assert.throws(
      () => resolveLimits({ [flag]: value }),
      (error: unknown) => error instanceof LimitError && error.message.includes(`--${flag}`),
    );
  }
});

Deno.test("a config file is a JSON object of limit flags; anything else is refused", () => {
  assert.deepEqual(parseLimitConfig('{"host-rate": 50000, "session-timeout": 15000}', "f.json"), {
    hostRate: 50000,
    sessionTimeoutMs: 15000,
  });
  for (
    const text of ["[1]", "nope", '{"host-rate": "fast"}', '{"colour": 3}', '{"max-sessions": 0}']
  ) {
    assert.throws(() => parseLimitConfig(text, "f.json"), LimitError, text);
  }
  assert.throws(() => parseLimitConfig('{"colour": 3}', "f.json"), /unknown setting "colour"/);
});

Deno.test("--help lists every limit with its default, from the same table", () => {
  const text = helpText({
    name: "t",
    summary: "",
    positionals: [],
    options: limitOptionSpecs(),
  });
  for (const option of LIMIT_OPTIONS) {
    assert.match(text, new RegExp(`--${option.flag} ${option.value}`));
  }
  assert.match(text.replace(/\s+/g, " "), /\(default: 2000\)/);
});
