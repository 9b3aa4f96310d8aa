import assert from "node:assert/strict";
import { openLibrary } from "./ffi_library.ts";
import { LIBCRYPTO_PATHS } from "./openssl_gcm.ts";

const SYMBOLS = { OpenSSL_version_num: { parameters: [], result: "u64" } } as const;

Deno.test("openLibrary skips a path that does not load and opens the next one", () => {
  const opened = openLibrary(["/nonexistent/libnothing.so", ...LIBCRYPTO_PATHS], SYMBOLS);
  assert.ok(opened.ok, JSON.stringify(!opened.ok && opened.why));
  try {
    assert.ok(LIBCRYPTO_PATHS.includes(opened.path));
  } finally {
    opened.library.close();
  }
});

Deno.test("openLibrary says why when no path loads, and never throws", () => {
  const opened = openLibrary(["/nonexistent/libnothing.so"], SYMBOLS);
  assert.equal(opened.ok, false);
  assert.equal(!opened.ok && opened.why.kind, "not-loadable");
  const none = openLibrary([], SYMBOLS);
  assert.deepEqual(!none.ok && none.why, { kind: "not-loadable", detail: "no path to try" });
});
