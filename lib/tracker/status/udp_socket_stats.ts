/**
 * What the kernel knows about the tracker's UDP socket and the tracker cannot see: datagrams it
 * dropped because the receive buffer was full (a burst the loop could not keep up with), and the
 * bytes waiting in that buffer now. Read from Linux's `/proc/net/udp` and `/proc/net/udp6` at
 * scrape time; the parsing is pure.
 *
 * @module
 */

/** The kernel's figures for one UDP port. */
export interface UdpSocketStats {
  /** Datagrams dropped by the kernel since the socket was opened. */
  readonly drops: number;
  /** Bytes queued in the receive buffer, waiting for the tracker. */
  readonly queuedBytes: number;
}

/**
 * Sums the `drops` and `rx_queue` columns of the lines whose local port is `port` in the text of
 * `/proc/net/udp` or `/proc/net/udp6`; `undefined` when no line has that port. Never throws.
 *
 * @example
 * ```ts
 * import { parseProcNetUdp } from "./udp_socket_stats.ts";
 * const text = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  " +
 *   "timeout inode ref pointer drops\n" +
 *   " 1: 0100007F:1388 00000000:0000 07 00000000:00000340 00:00000000 00000000 0 0 9 2 " +
 *   "00000000 17\n";
 * const stats = parseProcNetUdp(text, 5000);
 * console.assert(stats?.drops === 17 && stats.queuedBytes === 0x340);
 * ```
 */
export function parseProcNetUdp(text: string, port: number): UdpSocketStats | undefined {
  const wanted = port.toString(16).toUpperCase().padStart(4, "0");
  let found = false;
  let drops = 0;
  let queuedBytes = 0;
  // A quick look first: with tens of thousands of sockets on the host (the soak's clients), the
  // tracker reads this once a second, and splitting every line into fields would cost ~10 ms
  // (the kernel prints the ports in upper-case hex).
  const needle = `:${wanted} `;
  for (const line of text.split("\n")) {
    if (!line.includes(needle)) continue;
    const fields = line.trim().split(/\s+/);
    // sl, local, remote, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode, ref, pointer, drops
    if (fields.length < 13 || !fields[0].endsWith(":")) continue;
    const localPort = fields[1].split(":").at(-1);
    if (localPort?.toUpperCase() !== wanted) continue;
    const rx = Number.parseInt(fields[4].split(":")[1] ?? "", 16);
    const dropped = Number(fields[12]);
    if (!Number.isFinite(rx) || !Number.isFinite(dropped)) continue;
    found = true;
    drops += dropped;
    queuedBytes += rx;
  }
  return found ? { drops, queuedBytes } : undefined;
}

/**
 * Reads the figures of UDP `port` from `/proc` (IPv4 and IPv6 tables); `undefined` where there
 * is no `/proc` or it may not be read.
 */
export async function readUdpSocketStats(port: number): Promise<UdpSocketStats | undefined> {
  let drops = 0;
  let queuedBytes = 0;
  let found = false;
  for (const file of ["/proc/net/udp", "/proc/net/udp6"]) {
    const stats = parseProcNetUdp(await readProcText(file), port);
    if (stats === undefined) continue;
    found = true;
    drops += stats.drops;
    queuedBytes += stats.queuedBytes;
  }
  return found ? { drops, queuedBytes } : undefined;
}

/**
 * The host's count of UDP datagrams it could not deliver (`InErrors`: full receive buffers among
 * them), IPv4 and IPv6 summed, from the text of `/proc/net/snmp` and `/proc/net/snmp6`;
 * `undefined` when neither has it. Never throws.
 *
 * @example
 * ```ts
 * import { parseUdpInErrors } from "./udp_socket_stats.ts";
 * const snmp = "Udp: InDatagrams NoPorts InErrors OutDatagrams\nUdp: 10 0 7 10\n";
 * console.assert(parseUdpInErrors(snmp, "Udp6InErrors   \t2\n") === 9);
 * ```
 */
export function parseUdpInErrors(snmp: string, snmp6: string): number | undefined {
  let total: number | undefined;
  const add = (value: number) => {
    if (Number.isSafeInteger(value) && value >= 0) total = (total ?? 0) + value;
  };
  const lines = snmp.split("\n").filter((line) => line.startsWith("Udp: "));
  if (lines.length >= 2) {
    const column = lines[0].trim().split(/\s+/).indexOf("InErrors");
    if (column > 0) add(Number(lines[1].trim().split(/\s+/)[column]));
  }
  const six = /^Udp6InErrors\s+(\d+)\s*$/m.exec(snmp6);
  if (six) add(Number(six[1]));
  return total;
}

/**
 * Reads the host's UDP `InErrors` (see {@linkcode parseUdpInErrors}): two small files, where
 * `/proc/net/udp` lists every UDP socket of the host and took ~60 ms of the kernel's time to read
 * with 9,000 of them here.
 */
export async function readUdpInErrors(): Promise<number | undefined> {
  return parseUdpInErrors(
    await readProcText("/proc/net/snmp"),
    await readProcText("/proc/net/snmp6"),
  );
}

/** A `/proc` file's text; empty where there is no such file or it may not be read. */
async function readProcText(file: string): Promise<string> {
  try {
    return await Deno.readTextFile(file);
  } catch {
    return "";
  }
}
