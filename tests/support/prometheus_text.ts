/**
 * A strict reader of the Prometheus text exposition format, written apart from the tracker's
 * renderer so tests check what a scraper would accept: every sample belongs to a family with
 * `# HELP` and `# TYPE` lines before it, counters end in `_total`, label values are quoted and
 * escaped, values are numbers. Throws on anything else.
 *
 * @module
 */

/** One parsed exposition. */
export interface Exposition {
  readonly types: ReadonlyMap<string, string>;
  readonly help: ReadonlyMap<string, string>;
  /** Samples by `name{label="value",…}` with the labels sorted by name. */
  readonly samples: ReadonlyMap<string, number>;
}

/** The key a sample is found by: labels sorted by name. */
export function sampleKey(name: string, labels: Record<string, string> = {}): string {
  const pairs = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (pairs.length === 0) return name;
  return `${name}{${pairs.map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(",")}}`;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const match = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\\\|\\"|\\n)*)"(,|$)/.exec(rest);
    if (match === null) throw new Error(`bad labels in: ${line}`);
    labels[match[1]] = match[2].replace(/\\(["\\n])/g, (_, c) => (c === "n" ? "\n" : c));
    rest = rest.slice(match[0].length);
  }
  return labels;
}

/** Parses exposition text; throws an `Error` naming the first line that breaks the format. */
export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples = new Map<string, number>();
  if (!text.endsWith("\n")) throw new Error("exposition must end with a line feed");
  for (const line of text.slice(0, -1).split("\n")) {
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta !== null) {
      const [, kind, name, rest] = meta;
      if (!NAME.test(name)) throw new Error(`bad metric name: ${line}`);
      if (kind === "HELP") {
        help.set(name, rest);
        continue;
      }
      if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(rest)) {
        throw new Error(`bad type: ${line}`);
      }
      if (!help.has(name)) throw new Error(`TYPE before HELP: ${line}`);
      if (rest === "counter" && !name.endsWith("_total")) {
        throw new Error(`counter not named _total: ${line}`);
      }
      types.set(name, rest);
      continue;
    }
    if (line.startsWith("#")) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (sample === null) throw new Error(`bad sample: ${line}`);
    const [, name, labelText, valueText] = sample;
    if (!types.has(name)) throw new Error(`sample without TYPE: ${line}`);
    const value = valueText === "+Inf" ? Infinity : valueText === "-Inf" ? -Infinity : Number(
      valueText,
    );
    if (Number.isNaN(value) && valueText !== "NaN") throw new Error(`bad value: ${line}`);
    const key = sampleKey(name, parseLabels(labelText ?? "", line));
    if (samples.has(key)) throw new Error(`duplicate sample: ${line}`);
    samples.set(key, value);
  }
  return { types, help, samples };
}

/** A sample's value, 0 when absent (a counter not yet seen). */
export function valueOf(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number {
  return exposition.samples.get(sampleKey(name, labels)) ?? 0;
}
