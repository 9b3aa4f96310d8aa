/**
 * README.md and docs/ against the programs' own `--help` and against each other: every option the tracker, the peer and
 * passwd accept is in README's option table of that program, with its short form and its default,
 * and no table or page names an option that no program, benchmark or script has. The help text is
 * generated from the parser's own table (`lib/cli.ts`), so this keeps the docs in step with the
 * code: a flag added, renamed, removed or given a new default fails here until the docs follow.
 * Links between the pages, and sections named in quotes (`docs/operations.md, "Memory"`), must
 * reach a heading (or a bold lead-in) that exists.
 */

import assert from "node:assert/strict";
import { projectRoot, runProgram } from "./support/programs.ts";

/** One option as `--help` shows it. */
interface HelpOption {
  readonly long: string;
  readonly short?: string;
  /** The default `--help` states, `(default: X)` or `(default X; …)`; absent when none. */
  readonly fallback?: string;
}

/** The options of a `--help` text (`lib/cli.ts` `helpText`: a flag, then its wrapped words). */
function helpOptions(help: string): HelpOption[] {
  const options: HelpOption[] = [];
  const body = help.slice(help.indexOf("\nOptions:\n"), help.indexOf("\nExamples:"));
  // Each option starts at column 2 with `-x, --long` or `    --long`; its words run on below.
  const entries = body.split(/\n(?= {2}(?:-\w, | {4})--)/).slice(1);
  for (const entry of entries) {
    const match = /^ {2}(?:-(\w), | {4})--([a-z0-9-]+)/.exec(entry);
    if (!match) continue;
    const words = entry.replace(/\s+/g, " ");
    const fallback = /\(default:? ([^;)\s]+)/.exec(words)?.[1]?.replace(/[,.]$/, "");
    options.push({ long: match[2], short: match[1], fallback });
  }
  return options;
}

/** The rows of the first Markdown table after `heading` in `text`, each as its cells. */
function tableAfter(text: string, heading: string): string[][] {
  const start = text.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `README has a "${heading}" section`);
  const lines = text.slice(start).split("\n");
  const first = lines.findIndex((line) => line.startsWith("|"));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim()));
  }
  return rows;
}

/** Every `--flag` named in `text` (not `---` rules, not inside a longer word). */
function flagsIn(text: string): Set<string> {
  return new Set([...text.matchAll(/(?<![\w-])--([a-z0-9][a-z0-9-]*)/g)].map((m) => m[1]));
}

const PROGRAMS = [
  { script: "tracker.ts", heading: "### Tracker" },
  { script: "peer.ts", heading: "### Peer" },
  { script: "passwd.ts", heading: "### Passwords and credentials files" },
] as const;

/** Options every program has and README names once for all three (`-h`/`--help`, `-V`). */
const STANDARD = new Set(["help", "version"]);

/**
 * Other programs' flags the docs quote: Deno's permissions and V8's, redis-server's and
 * redis-cli's, npm's.
 */
const FOREIGN =
  /^(allow-[a-z]+|v8-flags|max-semi-space-size|semi-space-growth-factor|trace-gc|trace-incremental-marking|perf-prof|scavenger-max-new-space-capacity-mb|minor-ms|appendonly|save|dir|port|rdb|prefix)$/;

const readme = await Deno.readTextFile(`${projectRoot}/README.md`);

async function helpOf(script: string): Promise<HelpOption[]> {
  const result = await runProgram(script, ["--help"]);
  assert.equal(result.code, 0, result.stderr);
  const options = helpOptions(result.stdout);
  assert.ok(options.length >= 3, `${script} --help lists its options:\n${result.stdout}`);
  return options;
}

for (const { script, heading } of PROGRAMS) {
  Deno.test(`README's "${heading}" table lists every option of ${script} --help, short forms and defaults as --help says`, async () => {
    const options = await helpOf(script);
    const rows = tableAfter(readme, heading);
    for (const option of options) {
      if (STANDARD.has(option.long)) continue;
      const row = rows.find((cells) => flagsIn(cells[0]).has(option.long)) ??
        // A companion flag may be named in the row of the flag it goes with (`--source-burst`).
        rows.find((cells) => flagsIn(cells.join(" ")).has(option.long));
      assert.ok(row, `--${option.long} of ${script} is in README's "${heading}" table`);
      const text = row.join(" ");
      if (option.short) {
        assert.ok(
          text.includes(`\`-${option.short}\``),
          `-${option.short} is shown with --${option.long}`,
        );
      }
      if (option.fallback) {
        assert.ok(
          text.includes(option.fallback),
          `README's row for --${option.long} says its default ${option.fallback}: ${text}`,
        );
      }
    }
    const known = new Set(options.map((option) => option.long));
    for (const cells of rows) {
      for (const flag of flagsIn(cells.join(" "))) {
        if (FOREIGN.test(flag)) continue;
        assert.ok(
          known.has(flag),
          `--${flag} in README's "${heading}" table is an option of ${script}`,
        );
      }
    }
  });
}

Deno.test("docs/operations.md's table of tracker flags names tracker options, with --help's defaults", async () => {
  const options = await helpOf("tracker.ts");
  const operations = await Deno.readTextFile(`${projectRoot}/docs/operations.md`);
  const rows = tableAfter(operations, "## Running one tracker");
  assert.ok(rows.length >= 5, "the table is there");
  for (const [flags, fallback] of rows) {
    for (const flag of flagsIn(flags)) {
      const option = options.find((candidate) => candidate.long === flag);
      assert.ok(option, `--${flag} in docs/operations.md is a tracker option`);
      // A row whose default points at the code (`lib/tracker/defaults.ts`) defers to it.
      if (option.fallback && !/\.ts`/.test(fallback)) {
        assert.ok(fallback.includes(option.fallback), `default of --${flag}: ${fallback}`);
      }
    }
  }
});

Deno.test("docs/operations.md quotes the tracker task of deno.json as it is", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${projectRoot}/deno.json`));
  const operations = await Deno.readTextFile(`${projectRoot}/docs/operations.md`);
  assert.ok(
    operations.includes(`\`${config.tasks.tracker}\``),
    `docs/operations.md, "Deno permissions", shows: ${config.tasks.tracker}`,
  );
});

Deno.test("every --flag README.md and docs/ name belongs to a program, a benchmark, a script or Deno, Redis or V8", async () => {
  const programFlags = new Set<string>();
  for (const { script } of PROGRAMS) {
    for (const option of await helpOf(script)) programFlags.add(option.long);
  }
  // The benchmarks' and scripts' own options are read from their source.
  let tools = "";
  for (const dir of ["bench", "scripts"]) {
    for await (const entry of Deno.readDir(`${projectRoot}/${dir}`)) {
      if (entry.isFile) tools += await Deno.readTextFile(`${projectRoot}/${dir}/${entry.name}`);
    }
  }
  const toolFlags = flagsIn(tools);
  const pages = ["README.md"];
  for await (const entry of Deno.readDir(`${projectRoot}/docs`)) {
    if (entry.name.endsWith(".md")) pages.push(`docs/${entry.name}`);
  }
  const unknown: string[] = [];
  for (const page of pages.sort()) {
    const text = await Deno.readTextFile(`${projectRoot}/${page}`);
    for (const flag of flagsIn(text)) {
      if (programFlags.has(flag) || toolFlags.has(flag) || FOREIGN.test(flag)) continue;
      unknown.push(`${page}: --${flag}`);
    }
  }
  assert.deepEqual(unknown, [], "flags in the docs that nothing accepts");
});

/** The Markdown pages: README.md and docs/*.md, by path from the project root. */
async function pages(): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  found.set("README.md", await Deno.readTextFile(`${projectRoot}/README.md`));
  for await (const entry of Deno.readDir(`${projectRoot}/docs`)) {
    if (!entry.name.endsWith(".md")) continue;
    found.set(`docs/${entry.name}`, await Deno.readTextFile(`${projectRoot}/docs/${entry.name}`));
  }
  return found;
}

const squeeze = (text: string) => text.replace(/\s+/g, " ").trim().toLowerCase();

/** A page's headings and bold lead-ins (`**Memory.**`), as a section reference names them. */
function sections(text: string): string[] {
  return [
    ...[...text.matchAll(/^#+ (.*)$/gm)].map((m) => squeeze(m[1])),
    ...[...text.matchAll(/\*\*([^*]+?)\.?\*\*/g)].map((m) => squeeze(m[1])),
  ];
}

/** GitHub's anchor for a heading. */
function anchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\- _]/gu, "").replaceAll(" ", "-");
}

Deno.test("links and section names between README.md and docs/ reach a page and heading that exist", async () => {
  const all = await pages();
  const dead: string[] = [];
  for (const [page, text] of all) {
    const dir = page.includes("/") ? page.slice(0, page.lastIndexOf("/") + 1) : "";
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [path, hash] = target.split("#");
      const file = path === "" ? page : new URL(path, `file:///${dir}`).pathname.slice(1);
      const linked = all.get(file);
      if (linked === undefined) {
        if (!path.endsWith(".md")) continue;
        dead.push(`${page}: (${target}) no such page`);
      } else if (hash && ![...linked.matchAll(/^#+ (.*)$/gm)].some((m) => anchor(m[1]) === hash)) {
        dead.push(`${page}: (${target}) no such heading`);
      }
    }
    for (const [, name, title] of text.matchAll(/((?:docs\/)?[a-z_]+\.md)\)?,\s+"([^"]+)"/g)) {
      const file = all.has(name) ? name : all.has(`docs/${name}`) ? `docs/${name}` : undefined;
      if (file === undefined) {
        dead.push(`${page}: ${name} no such page`);
      } else if (!sections(all.get(file)!).some((heading) => heading.includes(squeeze(title)))) {
        dead.push(`${page}: ${name}, "${squeeze(title)}" no such section`);
      }
    }
    for (const [, title] of text.matchAll(/"([A-Z][^"]{3,60})"\)?(?: below| above)/g)) {
      if (!sections(text).some((heading) => heading.includes(squeeze(title)))) {
        dead.push(`${page}: "${squeeze(title)}" no such section here`);
      }
    }
  }
  assert.deepEqual(dead, [], "dead links and section names");
});
