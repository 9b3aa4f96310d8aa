import assert from "node:assert/strict";
import { notPublishedReason } from "./publish_command.ts";

Deno.test("unp's reason names the file, and offers the user's own name that differs in case or form", () => {
  const mine = ["notes.txt", "R\u00e9sum\u00e9.pdf", "my report.pdf"];
  assert.equal(
    notPublishedReason("gone.txt", mine),
    "you do not publish gone.txt (lpf lists your files)",
  );
  assert.equal(
    notPublishedReason("NOTES.TXT", mine),
    "you do not publish NOTES.TXT (did you mean notes.txt?)",
  );
  // Decomposed (NFD) and differently cased: still the same name to a person.
  assert.equal(
    notPublishedReason("re\u0301sume\u0301.pdf", mine),
    "you do not publish re\u0301sume\u0301.pdf (did you mean R\u00e9sum\u00e9.pdf?)",
  );
  assert.equal(
    notPublishedReason("My Report.pdf", mine),
    'you do not publish "My Report.pdf" (did you mean "my report.pdf"?)',
  );
});
