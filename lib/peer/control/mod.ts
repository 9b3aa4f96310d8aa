/**
 * Talking to the tracker over UDP: the v1 client ({@linkcode V1Client}: one request at a time, a
 * timeout each) and the v2 client ({@linkcode V2Client}: request ids, retransmission, the SCRAM
 * login), the {@linkcode TrackerLink} that gives the shell one view of either (log in with v2,
 * fall back to v1), the {@linkcode startHeartbeat} that keeps a session alive, bringing a session
 * back after the tracker lost it ({@linkcode restoreOnce}, {@linkcode restoreInBackground}), moving
 * to another tracker when several were given and the one in use stopped answering
 * ({@linkcode failOverOnce}, `tracker_rotation.ts` for the pure choices), and
 * which local address to bind and to advertise ({@linkcode advertisedAddress}). The datagrams
 * themselves are `lib/protocol/`; nothing here touches a file.
 *
 * @module
 */

export {
  type ConnectOptions,
  type HeartbeatOutcome,
  isClosed,
  isNotResponding,
  knownToSpeakV2,
  type Located,
  type LoginAttempt,
  loginV1,
  loginWithV2,
  type PublishedMeta,
  SessionLostError,
  type TrackerLink,
} from "./tracker_link.ts";
export {
  TrackerTimeoutError,
  UnexpectedReplyError,
  V1Client,
  V1ClientClosedError,
  type V1ClientOptions,
} from "./v1_client.ts";
export {
  fetchNames,
  loginV2,
  TrackerNotAuthenticError,
  TrackerNotRespondingError,
  TrackerRefusedError,
  V1OnlyTrackerError,
  V2Client,
  V2ClientClosedError,
  type V2ClientOptions,
  type V2Welcome,
} from "./v2_client.ts";
export {
  defaultStateDir,
  KNOWN_TRACKERS_FILE,
  KnownTrackers,
  trackerKey,
} from "./known_trackers.ts";
export { type HeartbeatOptions, startHeartbeat } from "./heartbeat.ts";
export {
  adoptLink,
  type RestorableSession,
  restoreInBackground,
  restoreOnce,
} from "./session_restore.ts";
export {
  canFailOver,
  failOverInBackground,
  failOverOnce,
  type FailoverSession,
  type TrackerChoice,
} from "./failover.ts";
export {
  SilenceWatch,
  type TrackerAddress,
  trackerLabel,
  tryingNextNotice,
} from "./tracker_rotation.ts";
export {
  AddressError,
  advertisedAddress,
  bindHostnameFor,
  listenHostname,
  resolveHost,
} from "./local_address.ts";
export { allPublishedFiles, findNames, ownFiles, type Unsupported } from "./v2_names.ts";
