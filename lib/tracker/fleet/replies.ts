/**
 * Reads many keys in one round trip where any of them may fail alone: keys under the fleet's
 * prefix that another program wrote with another type (`WRONGTYPE`) must cost only themselves,
 * not the load or the session snapshot of the whole fleet. `@redis/client` loses the other replies
 * of a pipeline (`execAsPipeline`) when one command fails, but keeps them for a `MULTI`
 * (`exec`): it rejects with a `MultiErrorReply` that holds every reply.
 *
 * @module
 */

import { MultiErrorReply } from "@redis/client";

/**
 * The replies of `exec` (a `multi().….exec()` promise), a failed command's reply being its
 * error. Rejects as `exec` does when the transaction as a whole failed (connection lost).
 *
 * @example
 * ```ts ignore
 * const replies = await pipelineReplies(client.multi().hGetAll("a").hGetAll("b").exec());
 * ```
 */
export async function pipelineReplies(exec: Promise<unknown>): Promise<unknown[]> {
  try {
    return await exec as unknown[];
  } catch (error) {
    if (error instanceof MultiErrorReply) return error.replies as unknown[];
    throw error;
  }
}
