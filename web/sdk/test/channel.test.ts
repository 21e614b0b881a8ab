import assert from "node:assert/strict";
import { mock, test } from "node:test";
import { Channel, MessageTooLargeError, RequestError } from "../runtime/channel";
import { FakePort, IDS } from "./fakes";

test("requests time out after 30 s and a late answer is ignored", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const port = new FakePort();
    const ch = new Channel(port, IDS);
    const p = ch.request("run-server-function", { moduleHash: "src/a.server.ts#f", args: "[]" });
    const [sent] = port.take("run-server-function");
    assert.ok(sent.requestId);
    assert.equal(sent.source, "appstore-extension");
    mock.timers.tick(29_999);
    let settled = false;
    p.then(() => (settled = true), () => (settled = true));
    await Promise.resolve();
    assert.equal(settled, false);
    mock.timers.tick(1);
    await assert.rejects(p, (err: unknown) => err instanceof RequestError && err.code === "timeout");
    port.deliver("run-server-function-result", { ok: true, result: "1" }, sent.requestId); // ignored, no throw
  } finally {
    mock.timers.reset();
  }
});

test("an answer resolves its request; answers for other apps do not", async () => {
  const port = new FakePort();
  const ch = new Channel(port, IDS);
  const p = ch.request("run-server-function", {});
  const [sent] = port.take();
  port.deliver("run-server-function-result", { ok: true, result: "2" }, sent.requestId, { appId: "app-2", appInstallationId: "inst-1" });
  port.deliver("run-server-function-result", { ok: true, result: "3" }, sent.requestId);
  assert.deepEqual(await p, { ok: true, result: "3" });
});

test("messages above 256 KiB are not sent", () => {
  const port = new FakePort();
  const ch = new Channel(port, IDS);
  assert.throws(() => ch.send("render", { root_id: "r", mount: [{ id: 1, text: "é".repeat(140_000) }] }), MessageTooLargeError);
  assert.equal(port.sent.length, 0);
});

test("beyond the host's rate, messages wait their turn, in order", () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    let now = 0;
    const port = new FakePort();
    const ch = new Channel(port, IDS, () => now);
    for (let i = 0; i < 250; i++) ch.send("render", { i });
    assert.equal(port.sent.length, 180);
    now = 1000;
    mock.timers.tick(1000);
    assert.equal(port.sent.length, 250);
    assert.deepEqual(port.sent.map((m) => (m.data as { i: number }).i), Array.from({ length: 250 }, (_, i) => i));
  } finally {
    mock.timers.reset();
  }
});
