/**
 * The Prometheus text exposition format (version 0.0.4), written from plain values: each metric
 * family as its `# HELP` and `# TYPE` lines then its samples, label values escaped. Pure.
 *
 * @module
 */

/** The content type a scraper expects for this format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** One sample of a family: its labels (possibly none) and value. */
export interface Sample {
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * One metric family. A `counter`'s name ends in `_total` (checked by
 * {@linkcode renderExposition}); a `gauge` may go up and down.
 */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge";
  readonly samples: readonly Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Escapes a label value: backslash, double quote and line feed, as the format requires. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Escapes a `# HELP` text: backslash and line feed. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/**
 * Renders families as exposition text. Throws a `RangeError` on a malformed metric or label
 * name, or a counter not named `..._total`: those are programming errors, never input.
 *
 * @example
 * ```ts
 * import { renderExposition } from "./prometheus.ts";
 * const text = renderExposition([{
 *   name: "demo_requests_total",
 *   help: "Requests handled.",
 *   type: "counter",
 *   samples: [{ labels: { command: "LAP" }, value: 3 }],
 * }]);
 * console.assert(text.includes('demo_requests_total{command="LAP"} 3\n'));
 * ```
 */
export function renderExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    if (!NAME.test(family.name)) throw new RangeError(`bad metric name ${family.name}`);
    if (family.type === "counter" && !family.name.endsWith("_total")) {
      throw new RangeError(`counter ${family.name} must end in _total`);
    }
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels ?? {});
      for (const [label] of labels) {
        if (!LABEL.test(label)) throw new RangeError(`bad label name ${label}`);
      }
      const labelText = labels.length === 0
        ? ""
        : `{${labels.map(([key, value]) => `${key}="${escapeLabelValue(value)}"`).join(",")}}`;
      lines.push(`${family.name}${labelText} ${formatValue(sample.value)}`);
    }
  }
  return lines.join("\n") + "\n";
}
