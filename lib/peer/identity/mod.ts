/**
 * The peer's TLS identity: a long-lived key pair and self-signed certificate in the state folder,
 * pinned by other peers through the fingerprint the tracker hands out.
 *
 * @module
 */

export { CERTIFICATE_NAME, fingerprintOf } from "./certificate.ts";
export {
  type Identity,
  IDENTITY_CERT_FILE,
  IDENTITY_KEY_FILE,
  IdentityError,
  loadIdentity,
} from "./identity_store.ts";
