import assert from "node:assert/strict";
import { haveRedisServer, RedisServer } from "../../../tests/support/redis_server.ts";
import { readPublicationFeed } from "../fleet/feed.ts";
import { KEYS } from "../fleet/keys.ts";
import { RedisLink } from "../fleet/redis_link.ts";
import { RedisStore } from "./redis_store.ts";

const ignore = !haveRedisServer();
const digest = "0f".repeat(32);

Deno.test({
  name: "a Redis store keeps publications for the next tracker and tells the fleet each batch",
  ignore,
  fn: async () => {
    const redis = await RedisServer.start();
    const link = await RedisLink.connect(redis.url);
    const heard: string[] = [];
    try {
      await link.subscriber.subscribe(KEYS.publicationFeed, (text) => heard.push(text));
      const store = new RedisStore({ client: link.commands, trackerId: "t1", name: redis.url });
      store.publish("bob", "z.txt");
      store.publish("alice", "b.txt", { size: 12, sha256: digest });
      store.publish("alice", "a.txt");
      store.publish("alice", "gone.txt");
      store.unpublish("alice", "gone.txt");
      store.publish("carol", "c.txt");
      store.removeUser("carol");
      await store.flush();
      const again = new RedisStore({ client: link.commands, trackerId: "t2", name: redis.url });
      const seen: string[] = [];
      const count = await again.loadAll((user, name, meta) =>
        seen.push(`${user}/${name}${meta ? ` ${meta.size}` : ""}`)
      );
      assert.equal(count, 3);
      assert.deepEqual(seen, ["alice/a.txt", "alice/b.txt 12", "bob/z.txt"]);
      const deadline = Date.now() + 2_000;
      while (heard.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const feed = readPublicationFeed(heard[0]);
      assert.equal(feed?.from, "t1");
      assert.deepEqual(feed?.users.find(([user]) => user === "carol"), ["carol", true, []]);
      await store.close();
      await again.close();
    } finally {
      await link.close();
      await redis.stop();
    }
  },
});
