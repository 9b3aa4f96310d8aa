/**
 * The edge that keeps a {@linkcode SilenceClock} told: a tick four times a second (a late one is
 * a stall of the loop), and the kernel's count of datagrams dropped on the tracker's socket once a
 * second (`/proc/net/udp`). It says in the log when either starts and when drops stop, since both
 * mean the tracker lost datagrams it will never see.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import { SILENCE_STALL_MS, type SilenceClock } from "./silence_clock.ts";
import {
  readUdpInErrors,
  readUdpSocketStats,
  type UdpSocketStats,
} from "./status/udp_socket_stats.ts";

const TICK_MS = 250;
const TICKS_PER_COUNT = 4;

export interface SilenceWatchOptions {
  readonly clock: SilenceClock;
  /** The tracker's UDP port, as `/proc/net/udp` lists it. */
  readonly port: number;
  readonly logger: Logger;
  /** Real monotonic milliseconds, for the log's durations. */
  readonly now: () => number;
  /** Defaults to reading `/proc`; `undefined` where it cannot (then only stalls are seen). */
  readonly readStats?: (port: number) => Promise<UdpSocketStats | undefined>;
  /** The host's UDP delivery errors (`/proc/net/snmp`); `undefined` where it cannot be read. */
  readonly readHostErrors?: () => Promise<number | undefined>;
}

/** Starts the watch; the returned function stops it, and resolves once a count under way ends. */
export function startSilenceWatch(options: SilenceWatchOptions): () => Promise<void> {
  const { clock, port, logger, now } = options;
  const readStats = options.readStats ?? readUdpSocketStats;
  const readHostErrors = options.readHostErrors ?? readUdpInErrors;
  let ticks = 0;
  let counting: Promise<void> | undefined;
  let stopped = false;
  // While drops go on: when they started and how many so far.
  let episode: { startedAt: number; dropped: number } | undefined;
  // The socket's own count is read only when the host's grew: listing every UDP socket of the
  // host costs the kernel ~60 ms with 9,000 of them, once a second (the soak's clients share it).
  let hostErrors: number | undefined;
  let socketDrops: number | undefined;
  const count = async () => {
    try {
      const host = await readHostErrors();
      const unchanged = host !== undefined && host === hostErrors && socketDrops !== undefined;
      hostErrors = host;
      const drops = unchanged ? socketDrops : (await readStats(port))?.drops;
      if (drops === undefined || stopped) return;
      socketDrops = drops;
      const { dropped } = clock.noteDrops(drops);
      if (dropped > 0 && episode === undefined) {
        episode = { startedAt: now(), dropped };
        logger.log({
          level: "warn",
          message: `Receive buffer full: the kernel dropped ${dropped} datagrams the tracker ` +
            `never read; silence counts at a quarter of its speed until drops stop, so heartbeats ` +
            `lost here expire no live session (docs/operations.md, "Session timing")`,
          fields: { event: "receiveDrops", dropped },
        });
      } else if (dropped > 0 && episode !== undefined) {
        episode.dropped += dropped;
      } else if (dropped === 0 && episode !== undefined) {
        const seconds = (now() - episode.startedAt) / 1000;
        logger.log({
          message: `Receive buffer drops stopped: ${episode.dropped} datagrams dropped over ` +
            `${seconds.toFixed(0)} s`,
          fields: { event: "receiveDropsStopped", dropped: episode.dropped },
        });
        episode = undefined;
      }
    } catch {
      // No count this time: the clock keeps its rate until the next one.
    } finally {
      counting = undefined;
    }
  };
  // The first count only sets the baseline: taken now, so drops in the first second count.
  counting = count();
  const timer = setInterval(() => {
    const gap = clock.tick();
    if (gap > SILENCE_STALL_MS) {
      logger.log({
        level: "warn",
        message: `The tracker's loop stalled for ${(gap / 1000).toFixed(1)} s (a long pause, ` +
          `or the process was not scheduled): silence in that time counts at a quarter of its speed`,
        fields: { event: "stall", ms: Math.round(gap) },
      });
    }
    if (++ticks % TICKS_PER_COUNT === 0 && counting === undefined) counting = count();
  }, TICK_MS);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await counting;
  };
}
