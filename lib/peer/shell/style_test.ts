import assert from "node:assert/strict";
import { Style } from "./style.ts";

Deno.test("colours only on a terminal and only without NO_COLOR, even an empty one", () => {
  const unset = () => undefined;
  assert.equal(Style.allowed(true, unset), true);
  assert.equal(Style.allowed(false, unset), false);
  assert.equal(Style.allowed(true, (name) => name === "NO_COLOR" ? "" : undefined), false);
  assert.equal(Style.allowed(true, (name) => name === "NO_COLOR" ? "1" : undefined), false);
});

Deno.test("a style without colour returns text untouched; with colour, bold prompt and red failure", () => {
  assert.equal(new Style(false).bold("> "), "> ");
  assert.equal(
    new Style(false).tone("Tracker not responding", "failure"),
    "Tracker not responding",
  );
  assert.equal(new Style(true).bold("> "), "\x1b[1m> \x1b[22m");
  assert.equal(new Style(true).tone("x", "failure"), "\x1b[31mx\x1b[39m");
  assert.equal(new Style(true).tone("x", "plain"), "x");
});
