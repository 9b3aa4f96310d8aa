import assert from "node:assert/strict";
import { missingFileHint, notPublishedReason } from "./publish_command.ts";

Deno.test("pub's missing file names a file of the same name in another Unicode form, or case", () => {
  const composed = "caf\u00e9.txt";
  const decomposed = "cafe\u0301.txt";
  assert.equal(
    missingFileHint(composed, ["notes.txt", decomposed]),
    ` (a file ${decomposed} is there, its name in another Unicode form, decomposed (NFD); ` +
      "names must match byte for byte: Tab after pub completes it)",
  );
  assert.equal(
    missingFileHint(decomposed, [composed]),
    ` (a file ${composed} is there, its name in another Unicode form, composed (NFC); ` +
      "names must match byte for byte: Tab after pub completes it)",
  );
  assert.equal(missingFileHint("NOTES.TXT", ["notes.txt"]), " (did you mean notes.txt?)");
  assert.equal(missingFileHint("gone.txt", ["notes.txt"]), "");
});

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
