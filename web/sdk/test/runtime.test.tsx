import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { useState } from "react";
import { defineApp, openDialog, runServerFunction, ServerFunctionError } from "../index";
import { Button, TextBlock } from "../components";
import { setRuntimeHost } from "../host";
import type { WireElement } from "../protocol";
import { Channel } from "../runtime/channel";
import { Runtime } from "../runtime/runtime";
import type { RenderData } from "../runtime/renderer";
import { FakePort, HostModel, IDS, settle } from "./fakes";

const calls: unknown[] = [];

function Widget({ context }: { context: { record_id: string } }) {
  const [n, setN] = useState(0);
  return (
    <Button onClick={() => setN(n + 1)}>
      {context.record_id}:{String(n)}
    </Button>
  );
}

const app = defineApp({
  record: {
    widgets: [{ id: "hello", title: "Hello widget", recordTypes: ["contact"], component: Widget }],
    actions: [
      {
        id: "show",
        title: "Show",
        recordTypes: ["contact", "ticket"],
        onTrigger: (ctx) => {
          calls.push(ctx);
          openDialog({ title: "Record", content: <TextBlock text={ctx.record_id} />, onClose: () => calls.push("closed") });
        },
      },
    ],
    bulkActions: [{ id: "bulk", title: "Bulk", recordTypes: ["ticket"], onTrigger: () => { throw new Error("nope"); } }],
  },
  quickActions: [{ id: "quick", title: "Quick", onTrigger: (ctx) => void calls.push(ctx) }],
  callRecording: {
    transcript: { textActions: [{ id: "quote", title: "Quote", onTrigger: (ctx) => void calls.push(ctx.text) }] },
  },
});

function start() {
  const port = new FakePort();
  const rt = new Runtime(new Channel(port, IDS), app);
  rt.start();
  return { port, rt };
}

afterEach(() => {
  setRuntimeHost(null);
  calls.length = 0;
});

test("start announces the App's surfaces", () => {
  const { port } = start();
  const [m] = port.take("set-surfaces");
  assert.deepEqual(m.data, {
    surfaces: [
      { kind: "record-widget", id: "hello", title: "Hello widget", record_types: ["contact"] },
      { kind: "record-action", id: "show", title: "Show", record_types: ["contact", "ticket"] },
      { kind: "bulk-action", id: "bulk", title: "Bulk", record_types: ["ticket"] },
      { kind: "quick-action", id: "quick", title: "Quick" },
      { kind: "text-action", id: "quote", title: "Quote", fields: ["transcript"] },
    ],
  });
});

test("a record widget mounts into the host's root and its handlers work", async () => {
  const { port } = start();
  port.take();
  port.deliver("trigger-surface", { surface_id: "hello", kind: "record-widget", root_id: "r1", context: { record_id: "c-1" } }, "t1");
  await settle();
  const [result] = port.take("trigger-surface-result");
  assert.equal(result.requestId, "t1");
  assert.deepEqual(result.data, { ok: true });
  const [render] = port.take("render");
  const data = render.data as RenderData;
  const host = new HostModel();
  host.apply(data);
  const button = host.children[0] as WireElement;
  assert.equal(button.type, "Button");
  port.deliver("event-handler-call", { handler_id: (button.props.onClick as { $handler: string }).$handler, args: [] });
  await settle();
  for (const m of port.take("render")) host.apply(m.data as RenderData);
  assert.deepEqual((host.children[0] as WireElement).children.map((c) => ("text" in c ? c.text : "")), ["c-1", ":", "1"]);

  // Unmounted: a call to the old handler is ignored and nothing is sent.
  port.deliver("trigger-surface", { kind: "unmount-root", root_id: "r1" }, "t2");
  port.deliver("event-handler-call", { handler_id: (button.props.onClick as { $handler: string }).$handler, args: [] });
  await settle();
  assert.deepEqual(port.take().map((m) => m.type), ["trigger-surface-result"]);
});

test("an action opens a dialog; closing it unmounts its root", async () => {
  const { port } = start();
  port.take();
  const context = { organization_id: "o", record_type: "contact", record_id: "c-9", record: {} };
  port.deliver("trigger-surface", { surface_id: "show", kind: "record-action", context }, "t1");
  await settle();
  assert.deepEqual(calls[0], context);
  const msgs = port.take();
  assert.deepEqual(msgs.map((m) => m.type).sort(), ["open-dialog", "render", "trigger-surface-result"]);
  assert.equal(msgs[0].type, "open-dialog", "the dialog opens before its root renders");
  const open = msgs[0].data as { dialog_id: string; title: string };
  assert.equal(open.title, "Record");
  const render = msgs.find((m) => m.type === "render")!.data as { root_id: string; mount: WireElement[] };
  assert.equal(render.root_id, open.dialog_id);
  assert.deepEqual(render.mount[0].props, { text: "c-9" });

  port.deliver("close-dialog", { dialog_id: open.dialog_id });
  await settle();
  assert.deepEqual(calls[1], "closed");
  assert.equal(port.take().length, 0, "the user closed it: nothing to tell the host");
});

test("close() tells the host once", async () => {
  const { port } = start();
  port.take();
  const d = openDialog({ title: "Mine", content: <TextBlock text="x" /> });
  d.close();
  d.close();
  await settle();
  assert.deepEqual(port.take().map((m) => [m.type, m.data]), [
    ["open-dialog", { dialog_id: d.id, title: "Mine" }],
    ["close-dialog", { dialog_id: d.id }],
  ]);
});

test("every action kind gets its context; failures and unknown surfaces answer errors", async () => {
  const { port } = start();
  port.take();
  port.deliver("trigger-surface", { surface_id: "quick", kind: "quick-action", context: { organization_id: "o" } }, "q");
  port.deliver("trigger-surface", { surface_id: "quote", kind: "text-action", context: { organization_id: "o", recording_id: "r", field: "transcript", text: "hi there" } }, "x");
  port.deliver("trigger-surface", { surface_id: "bulk", kind: "bulk-action", context: { organization_id: "o", record_type: "ticket", record_ids: ["1"] } }, "b");
  port.deliver("trigger-surface", { surface_id: "hello", kind: "record-action", context: {} }, "u");
  await settle();
  assert.deepEqual(calls, [{ organization_id: "o" }, "hi there"]);
  const answers = Object.fromEntries(port.take("trigger-surface-result").map((m) => [m.requestId, m.data]));
  assert.deepEqual(answers.q, { ok: true });
  assert.deepEqual(answers.x, { ok: true });
  assert.deepEqual(answers.b, { ok: false, error: { code: "surface_failed", message: "nope" } });
  assert.equal((answers.u as { error: { code: string } }).error.code, "unknown_surface");
});

test("runServerFunction goes over the port and decodes the answer", async () => {
  const { port } = start();
  port.take();
  const p = runServerFunction<{ n: number }>("src/a.server.ts#f", [1, "two"]);
  await settle();
  const [req] = port.take("run-server-function");
  assert.deepEqual(req.data, { moduleHash: "src/a.server.ts#f", args: '[1,"two"]' });
  port.deliver("run-server-function-result", { ok: true, result: '{"n":3}' }, req.requestId);
  assert.deepEqual(await p, { n: 3 });

  const q = runServerFunction("src/a.server.ts#f", []);
  await settle();
  const [req2] = port.take("run-server-function");
  port.deliver("run-server-function-result", { ok: false, error: { code: "forbidden", message: "not installed" } }, req2.requestId);
  await assert.rejects(q, (e: unknown) => e instanceof ServerFunctionError && e.code === "forbidden");
});
