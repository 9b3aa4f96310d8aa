/**
 * Reads deno test's JUnit report and prints the closing line CI recognises. Failed static checks
 * (fmt, lint, check) count as failures too, so they can never hide behind green tests.
 */

const [path, failedChecksText = "0"] = Deno.args;
let xml = "";
try {
  xml = await Deno.readTextFile(path);
} catch {
  console.log(`no test report at ${path}`);
}
const cases = xml.match(/<testcase\b[^>]*?(\/>|>[\s\S]*?<\/testcase>)/g) ?? [];
let failed = 0;
let skipped = 0;
for (const testCase of cases) {
  if (/<(failure|error)\b/.test(testCase)) failed++;
  else if (/<skipped\b/.test(testCase)) skipped++;
}
const passed = cases.length - failed - skipped;
const failedChecks = Number(failedChecksText);
if (failedChecks > 0) console.log(`${failedChecks} static check(s) failed (fmt, lint or check)`);
console.log(`${passed} passed, ${failed + failedChecks} failed, ${skipped} skipped`);
Deno.exit(cases.length === 0 || failed + failedChecks > 0 ? 1 : 0);
