/**
 * Waiting for a distributed state to settle in a test: asks again every 100 ms until the answer
 * is the one expected, and fails with the last answer after a time limit.
 *
 * @module
 */

/** Polls `ask` until `accept` holds for its answer, failing after `timeoutMs`. */
export async function eventually(
  ask: () => Promise<string | undefined>,
  accept: (answer: string | undefined) => boolean,
  timeoutMs = 5_000,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let answer = await ask();
  while (!accept(answer)) {
    if (Date.now() > deadline) {
      throw new Error(`still ${JSON.stringify(answer)} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    answer = await ask();
  }
  return answer;
}
