/**
 * The live status page `/` serves: one self-contained HTML document (inline CSS and script, no
 * external file, works offline) that polls `/status.json` every second and draws the figures,
 * the active peers, the most-published names and an inline SVG chart of the request rate.
 *
 * User names and file names are chosen by strangers: the script puts every string into the page
 * with `textContent` (never `innerHTML`), so the browser shows it as text, whatever it contains.
 * The document itself holds no data, so nothing needs escaping on the server.
 *
 * @module
 */

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1d2330; background: #f6f7f9; }
h1 { font-size: 1.3em; margin: 0 0 .2em; }
h2 { font-size: 1.05em; margin: 1.2em 0 .4em; }
#state { color: #667; }
#state.stale { color: #b3261e; font-weight: 600; }
.figures { display: flex; flex-wrap: wrap; gap: .6em; margin-top: 1em; }
.figure { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: .5em .8em;
  min-width: 8em; }
.figure b { display: block; font-size: 1.5em; font-variant-numeric: tabular-nums; }
.figure span { color: #667; font-size: .85em; }
table { border-collapse: collapse; background: #fff; border: 1px solid #dde1e7; min-width: 24em; }
th, td { text-align: left; padding: .25em .7em; border-bottom: 1px solid #eef0f3; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.name { max-width: 40em; overflow-wrap: anywhere; white-space: pre-wrap; }
#chart { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; }
#chart polyline { fill: none; stroke: #2f6fde; stroke-width: 1.5; }
#chart text { font-size: 10px; fill: #667; }
.columns { display: flex; flex-wrap: wrap; gap: 2em; }
.note { color: #667; font-size: .85em; }
`;

// Runs in the browser: fetches /status.json each second and fills the page by textContent only.
const SCRIPT = `
"use strict";
const byId = (id) => document.getElementById(id);
const number = (value) => value === undefined || value === null ? "–" :
  Number(value).toLocaleString("en-US");
const SVG = "http://www.w3.org/2000/svg";

function setText(id, value) { byId(id).textContent = value; }

function fillRows(tbody, rows, cells) {
  const fresh = document.createElement("tbody");
  fresh.id = tbody.id;
  for (const row of rows) {
    const tr = document.createElement("tr");
    for (const [text, className] of cells(row)) {
      const td = document.createElement("td");
      if (className) td.className = className;
      td.textContent = text;
      tr.appendChild(td);
    }
    fresh.appendChild(tr);
  }
  tbody.replaceWith(fresh);
}

function drawChart(rates) {
  const svg = byId("chart");
  const width = 600, height = 140, pad = 28;
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const top = Math.max(1, ...rates);
  const points = rates.map((rate, i) => {
    const x = pad + (rates.length < 2 ? 0 : i * (width - pad - 4) / (rates.length - 1));
    const y = height - 16 - rate * (height - 26) / top;
    return x.toFixed(1) + "," + y.toFixed(1);
  });
  const line = document.createElementNS(SVG, "polyline");
  line.setAttribute("points", points.join(" "));
  svg.appendChild(line);
  const label = (x, y, text) => {
    const t = document.createElementNS(SVG, "text");
    t.setAttribute("x", String(x));
    t.setAttribute("y", String(y));
    t.textContent = text;
    svg.appendChild(t);
  };
  label(2, 12, number(top) + "/s");
  label(2, height - 4, rates.length + " s ago");
  label(width - 30, height - 4, "now");
  svg.setAttribute("data-points", String(rates.length));
}

function render(status) {
  setText("users-online", number(status.usersOnline));
  setText("sessions-v1", number(status.sessions.v1));
  setText("sessions-v2", number(status.sessions.v2));
  setText("publications", number(status.publications));
  setText("names", number(status.names));
  setText("requests", number(status.requests));
  setText("errors", number(status.errors));
  const drops = Object.values(status.drops).reduce((a, b) => a + b, 0);
  setText("drops", number(drops));
  setText("store-pending", number(status.storePending));
  const rate = status.requestRate.length ? status.requestRate[status.requestRate.length - 1] : 0;
  setText("rate", number(rate));
  setText("uptime", number(status.uptimeSeconds) + " s");
  setText("started-at", status.startedAt);
  setText("peer-count", number(status.usersOnline));
  fillRows(byId("peers"), status.peers, (p) => [[p.user, "name"], [p.address, ""], [p.version, ""]]);
  fillRows(byId("top-names"), status.topNames, (n) => [[n.name, "name"], [number(n.holders), "n"]]);
  drawChart(status.requestRate);
  const state = byId("state");
  state.className = "";
  state.textContent = "live, updated " + new Date().toLocaleTimeString();
  document.body.setAttribute("data-updates", String(Number(document.body.dataset.updates || 0) + 1));
}

async function poll() {
  try {
    const response = await fetch("status.json", { cache: "no-store" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    render(await response.json());
  } catch (error) {
    const state = byId("state");
    state.className = "stale";
    state.textContent = "tracker not answering (" + error.message + "); retrying";
  } finally {
    setTimeout(poll, 1000);
  }
}
poll();
`;

/**
 * The page's HTML.
 *
 * @example
 * ```ts
 * import { STATUS_PAGE_HTML } from "./status_page.ts";
 * console.assert(!/(src|href)="http/.test(STATUS_PAGE_HTML));
 * ```
 */
export const STATUS_PAGE_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PeerSync tracker</title>
<style>${STYLE}</style>
</head>
<body data-updates="0">
<h1>PeerSync tracker</h1>
<div id="state">loading…</div>
<div class="figures">
  <div class="figure"><b id="users-online">–</b><span>users online</span></div>
  <div class="figure"><b id="sessions-v1">–</b><span>v1 sessions</span></div>
  <div class="figure"><b id="sessions-v2">–</b><span>v2 sessions</span></div>
  <div class="figure"><b id="publications">–</b><span>publications</span></div>
  <div class="figure"><b id="names">–</b><span>distinct names</span></div>
  <div class="figure"><b id="rate">–</b><span>requests/s</span></div>
  <div class="figure"><b id="requests">–</b><span>requests</span></div>
  <div class="figure"><b id="errors">–</b><span>error replies</span></div>
  <div class="figure"><b id="drops">–</b><span>datagrams dropped</span></div>
  <div class="figure"><b id="store-pending">–</b><span>changes not yet saved</span></div>
  <div class="figure"><b id="uptime">–</b><span>up since <span id="started-at">–</span></span></div>
</div>
<h2>Requests per second</h2>
<svg id="chart" width="600" height="140" viewBox="0 0 600 140" role="img"
  aria-label="requests per second"></svg>
<div class="columns">
<div>
<h2>Active peers (<span id="peer-count">–</span>)</h2>
<table><thead><tr><th>user</th><th>address</th><th>protocol</th></tr></thead>
<tbody id="peers"></tbody></table>
<p class="note">The first 100 by name.</p>
</div>
<div>
<h2>Most-published names</h2>
<table><thead><tr><th>name</th><th>holders</th></tr></thead>
<tbody id="top-names"></tbody></table>
<p class="note">Holders online or not; refreshed every 5 s.</p>
</div>
</div>
<script>${SCRIPT}</script>
</body>
</html>
`;
