import assert from "node:assert/strict";
import { describeReceiveBuffer, readReceiveBufferSizes } from "./receive_buffer.ts";

Deno.test("the start-up line says how many small datagrams the default buffer queues", () => {
  const line = describeReceiveBuffer({ defaultBytes: 212992, maxBytes: 4194304 });
  assert.match(line, /^Receive buffer: 212992 bytes \(net\.core\.rmem_default, rmem_max 4194304\)/);
  assert.match(line, /about 256 small datagrams/);
  assert.match(line, /Deno cannot set SO_RCVBUF/);
  assert.match(line, /raise net\.core\.rmem_default/);
});

Deno.test("sizes are read from /proc, and an unreadable /proc says unknown", () => {
  const files: Record<string, string> = {
    "/proc/sys/net/core/rmem_default": "212992\n",
    "/proc/sys/net/core/rmem_max": "4194304\n",
  };
  const read = (path: string) => {
    if (!(path in files)) throw new Deno.errors.NotFound(path);
    return files[path];
  };
  assert.deepEqual(readReceiveBufferSizes(read), { defaultBytes: 212992, maxBytes: 4194304 });
  const none = readReceiveBufferSizes(() => {
    throw new Deno.errors.PermissionDenied("no");
  });
  assert.deepEqual(none, {});
  const unknown = describeReceiveBuffer(none);
  assert.match(unknown, /^Receive buffer: unknown/);
  assert.match(unknown, /sysctl net\.core\.rmem_default/, "tells the operator how to look");
  assert.match(unknown, /raise net\.core\.rmem_default/);
  assert.match(unknown, /only under --allow-all/, "says what would let it read /proc");
  assert.deepEqual(readReceiveBufferSizes(() => "garbage"), {});
});
