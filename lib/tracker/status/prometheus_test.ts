import assert from "node:assert/strict";
import { parseExposition, valueOf } from "../../../tests/support/prometheus_text.ts";
import { escapeLabelValue, renderExposition } from "./prometheus.ts";

Deno.test("exposition text has HELP and TYPE before samples and parses back to the same values", () => {
  const text = renderExposition([
    {
      name: "demo_requests_total",
      help: "Requests.",
      type: "counter",
      samples: [
        { labels: { command: "LAP", version: "v1" }, value: 3 },
        { labels: { command: "SCH", version: "v2" }, value: 0 },
      ],
    },
    { name: "demo_up", help: "Up.", type: "gauge", samples: [{ value: 1.5 }] },
  ]);
  const lines = text.split("\n");
  assert.equal(lines[0], "# HELP demo_requests_total Requests.");
  assert.equal(lines[1], "# TYPE demo_requests_total counter");
  const parsed = parseExposition(text);
  assert.equal(valueOf(parsed, "demo_requests_total", { version: "v1", command: "LAP" }), 3);
  assert.equal(parsed.samples.get('demo_requests_total{command="SCH",version="v2"}'), 0);
  assert.equal(valueOf(parsed, "demo_up"), 1.5);
  assert.equal(parsed.types.get("demo_up"), "gauge");
});

Deno.test("label values with quotes, backslashes and line feeds are escaped and read back intact", () => {
  const nasty = 'a"b\\c\nd}';
  assert.equal(escapeLabelValue(nasty), 'a\\"b\\\\c\\nd}');
  const text = renderExposition([
    {
      name: "demo_total",
      help: "x",
      type: "counter",
      samples: [{ labels: { v: nasty }, value: 1 }],
    },
  ]);
  assert.equal(text.split("\n").length, 4, "one line per sample");
  assert.equal(valueOf(parseExposition(text), "demo_total", { v: nasty }), 1);
});

Deno.test("a counter not named _total, or a bad metric or label name, is refused", () => {
  const family = { help: "x", samples: [{ value: 1 }] };
  assert.throws(() => renderExposition([{ ...family, name: "demo", type: "counter" }]), RangeError);
  assert.throws(() => renderExposition([{ ...family, name: "1demo", type: "gauge" }]), RangeError);
  assert.throws(
    () =>
      renderExposition([{
        name: "demo",
        help: "x",
        type: "gauge",
        samples: [{ labels: { "bad-label": "x" }, value: 1 }],
      }]),
    RangeError,
  );
});

Deno.test("special values are written as the format spells them", () => {
  const text = renderExposition([{
    name: "demo",
    help: "x",
    type: "gauge",
    samples: [{ labels: { k: "a" }, value: NaN }, { labels: { k: "b" }, value: Infinity }],
  }]);
  assert.match(text, /demo\{k="a"\} NaN\n/);
  assert.match(text, /demo\{k="b"\} \+Inf\n/);
});
