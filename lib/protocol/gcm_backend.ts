/**
 * Chooses the AES-256-GCM implementation a program seals with: OpenSSL through FFI when
 * `--allow-ffi` covers libcrypto and it loads, else `node:crypto`. Both produce byte-identical
 * datagrams, so the choice is invisible on the wire; it only changes the CPU a datagram costs
 * (docs/performance.md, "Sealed datagrams").
 *
 * @module
 */

import { type Gcm, nodeGcm } from "./gcm.ts";
import { loadOpensslGcm, type OpensslUnavailable } from "./openssl_gcm.ts";
import { setDefaultGcm } from "./sealed.ts";

/** What the caller asked for: `auto` tries OpenSSL first, `node` never loads it. */
export type GcmPreference = "auto" | "node";

/** The chosen implementation and one line saying which and why, for the start log. */
export interface GcmChoice {
  readonly gcm: Gcm;
  readonly description: string;
}

function unavailableText(why: OpensslUnavailable): string {
  switch (why.kind) {
    case "no-permission":
      return `no --allow-ffi=${why.path}`;
    case "not-loadable":
      return `libcrypto.so.3 not loadable: ${why.detail}`;
    case "init-failed":
      return `OpenSSL setup failed at ${why.step}`;
  }
}

/**
 * Picks an implementation without prompting for any permission.
 *
 * @example
 * ```ts
 * import { chooseGcm } from "./gcm_backend.ts";
 * const choice = chooseGcm("node");
 * console.assert(choice.gcm.name === "node-crypto");
 * ```
 */
export function chooseGcm(preference: GcmPreference): GcmChoice {
  if (preference === "node") {
    return { gcm: nodeGcm, description: "sealing with node:crypto (asked for)" };
  }
  const load = loadOpensslGcm();
  if (load.ok) {
    return { gcm: load.gcm, description: `sealing with OpenSSL through FFI (${load.path})` };
  }
  return {
    gcm: nodeGcm,
    description: `sealing with node:crypto (${unavailableText(load.why)}; OpenSSL is faster)`,
  };
}

/** {@linkcode chooseGcm}, then makes the choice the default of every key made afterwards. */
export function installGcm(preference: GcmPreference): GcmChoice {
  const choice = chooseGcm(preference);
  setDefaultGcm(choice.gcm);
  return choice;
}
