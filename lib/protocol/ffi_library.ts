/**
 * Opening a native library through `Deno.dlopen` without a permission prompt: the first of
 * several candidate paths that `--allow-ffi` covers and that loads, or why none did. Shared by
 * the OpenSSL GCM path (`openssl_gcm.ts`) and the OpenSSL TLS bench contender.
 *
 * @module
 */

/** Why a native library is not available (the caller falls back to a path without it). */
export type LibraryUnavailable =
  | { readonly kind: "no-permission"; readonly path: string }
  | { readonly kind: "not-loadable"; readonly detail: string }
  | { readonly kind: "init-failed"; readonly step: string };

/** The outcome of {@linkcode openLibrary}; never an exception. */
export type LibraryOpen<S extends Deno.ForeignLibraryInterface> =
  | { readonly ok: true; readonly library: Deno.DynamicLibrary<S>; readonly path: string }
  | { readonly ok: false; readonly why: LibraryUnavailable };

/** True when `--allow-ffi` covers `path`, asked without a prompt. */
function ffiGranted(path: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "ffi", path }).state === "granted";
  } catch {
    return false;
  }
}

/**
 * Opens the first of `paths` that `--allow-ffi` covers and that loads with `symbols`. A path the
 * permission does not cover is skipped, never prompted for.
 */
export function openLibrary<S extends Deno.ForeignLibraryInterface>(
  paths: readonly string[],
  symbols: S,
): LibraryOpen<S> {
  let why: LibraryUnavailable | undefined;
  for (const path of paths) {
    if (!ffiGranted(path)) {
      why ??= { kind: "no-permission", path };
      continue;
    }
    try {
      return { ok: true, library: Deno.dlopen(path, symbols), path };
    } catch (error) {
      why = {
        kind: "not-loadable",
        detail: error instanceof Error ? error.message : String(error),
      };
    }
  }
  return { ok: false, why: why ?? { kind: "not-loadable", detail: "no path to try" } };
}
