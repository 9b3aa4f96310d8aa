import assert from "node:assert/strict";
import { fitNameList, replyText } from "../protocol/mod.ts";
import { Authenticator } from "./authenticator.ts";
import { LoginGuard } from "./guard.ts";
import { type Address, type Session, TrackerState } from "./state.ts";
import { SeededRandom } from "./test_random.ts";
import { V1Handler } from "./v1_handler.ts";

// The wired state (sessions, publications, name index, sorted view of active users) against a
// brute-force model of the protocol's rules, over random operations; each query is also asked
// through the v1 handler, whose reply must be the model's whole list cut by `fitNameList`.

const USERS = ["ann", "bob", "cat", "dan", "eve", "fay"];
const ALPHABET = ["a", "b", "c", "A", ".", "é"];
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const portOf = (user: string) => 6000 + USERS.indexOf(user);
const at = (user: string): Address => ({ hostname: "127.0.0.1", port: portOf(user) });

class Model {
  readonly lastSeen = new Map<string, number>();
  readonly files = new Map<string, Set<string>>();
  constructor(readonly clock: { now: number }) {}

  live(user: string): boolean {
    const seen = this.lastSeen.get(user);
    return seen !== undefined && this.clock.now - seen <= 3000;
  }
  lap(asker: string): string[] {
    return USERS.filter((user) => user !== asker && this.live(user));
  }
  lpf(user: string): string[] {
    return [...this.files.get(user) ?? []].sort(byCodeUnit);
  }
  search(text: string, asker: string): string[] {
    const found = new Set<string>();
    for (const [user, files] of this.files) {
      if (user === asker || !this.live(user)) continue;
      for (const file of files) if (file.includes(text)) found.add(file);
    }
    return [...found].sort(byCodeUnit);
  }
  holders(file: string, asker: string): string[] {
    return USERS.filter((user) =>
      user !== asker && this.live(user) && this.files.get(user)?.has(file)
    );
  }
}

/** A v1 request from `user`'s session (which it touches, as any request does). */
function v1(handler: V1Handler, model: Model, user: string, request: string): string {
  const outcome = handler.handle(encoder.encode(request), at(user));
  model.lastSeen.set(user, model.clock.now);
  return decoder.decode(outcome.reply);
}

for (const seed of [1, 2, 3, 4]) {
  Deno.test(`the wired state answers as a brute-force model over random operations (seed ${seed})`, () => {
    const random = new SeededRandom(seed);
    const clock = { now: 0 };
    const state = new TrackerState({ now: () => clock.now, maxPublicationsPerUser: 40 });
    const model = new Model(clock);
    const handler = new V1Handler({
      state,
      authenticator: new Authenticator({ credentials: new Map() }),
      guard: new LoginGuard({ now: () => clock.now }),
    });
    const name = () => random.text(ALPHABET, 1 + random.below(6));
    // Some publications come back from a store before anyone logs in.
    for (let i = 0; i < 30; i++) {
      const user = random.pick(USERS);
      const file = name();
      const fresh = !model.files.get(user)?.has(file);
      assert.equal(state.restore(user, file), fresh);
      if (fresh) model.files.set(user, (model.files.get(user) ?? new Set()).add(file));
    }
    // Every session opened, ended ones too: a `lap` asked with one must answer as by its name.
    const sessions: Session[] = [];
    for (let step = 0; step < 1500; step++) {
      const user = random.pick(USERS);
      const roll = random.below(100);
      if (roll < 12) {
        const opened = state.openSession(at(user), user, { version: 1 });
        assert.equal(opened.ok, !model.live(user), `login ${user}`);
        if (opened.ok) {
          sessions.push(opened.session);
          opened.session.downloadAddress = { hostname: "127.0.0.1", port: 7000 };
          model.lastSeen.set(user, clock.now);
        }
      } else if (roll < 16) {
        const session = state.sessionAt(at(user));
        assert.equal(session !== undefined, model.live(user));
        if (session) state.end(session);
        model.lastSeen.delete(user);
      } else if (roll < 30) {
        const session = state.sessionAt(at(user));
        if (session) {
          state.touch(session);
          model.lastSeen.set(user, clock.now);
        }
      } else if (roll < 38) {
        clock.now += random.below(1500);
        if (random.below(2) === 0) {
          // Sessions a query already ended are reported too: every one was silent.
          for (const session of state.expire()) {
            assert.ok(clock.now - session.lastSeen > 3000, `${session.user} expired while live`);
          }
        }
      } else if (roll < 55) {
        const file = name();
        const files = model.files.get(user) ?? new Set();
        const accepted = files.has(file) || files.size < 40;
        assert.equal(state.publish(user, file), accepted);
        if (accepted) model.files.set(user, files.add(file));
      } else if (roll < 63) {
        const files = [...model.files.get(user) ?? []];
        const file = files.length > 0 && random.below(4) > 0 ? random.pick(files) : name();
        assert.equal(state.unpublish(user, file), model.files.get(user)?.has(file) ?? false);
        model.files.get(user)?.delete(file);
      } else if (roll < 64) {
        state.removeUser(user);
        model.files.delete(user);
        model.lastSeen.delete(user);
      } else if (roll < 72) {
        assert.deepEqual(state.activeUsers(user), model.lap(user));
        const offset = random.below(5);
        const page = state.activeUsersFrom(user, offset);
        assert.equal(page.total, model.lap(user).length);
        assert.equal(page.next(), model.lap(user)[offset]);
        const mine = sessions.filter((session) => session.user === user);
        if (mine.length > 0) {
          const asked = state.activeUsersFor(random.pick(mine), offset);
          assert.equal(asked.total, model.lap(user).length);
          assert.equal(asked.next(), model.lap(user)[offset]);
        }
        if (model.live(user)) {
          assert.equal(
            v1(handler, model, user, "lap"),
            replyText({ kind: "peers", list: fitNameList(model.lap(user)) }),
          );
        }
      } else if (roll < 78) {
        assert.deepEqual(state.publishedBy(user), model.lpf(user));
        if (model.live(user)) {
          assert.equal(
            v1(handler, model, user, "lpf"),
            replyText({ kind: "publishedFiles", list: fitNameList(model.lpf(user)) }),
          );
        }
      } else if (roll < 94) {
        const text = random.text(ALPHABET, random.below(4));
        assert.deepEqual(state.search(text, user), model.search(text, user), `sch ${text}`);
        if (model.live(user) && text.length > 0) {
          assert.equal(
            v1(handler, model, user, `sch ${text}`),
            replyText({ kind: "found", list: fitNameList(model.search(text, user)) }),
          );
        }
      } else {
        const file = name();
        const holders = model.holders(file, user);
        assert.deepEqual(state.holders(file, user).map((h) => h.session.user), holders);
        const published = [...model.files.values()].some((files) => files.has(file));
        const located = state.locate(file, user);
        assert.equal(
          located.kind,
          !published ? "notPublished" : holders.length === 0 ? "noActiveHolder" : "holder",
        );
      }
    }
  });
}
