import assert from "node:assert/strict";
import { test } from "node:test";
import { useState } from "react";
import { Button, Card, Input, Stack, TextBlock } from "../components";
import type { Mutation, WireElement } from "../protocol";
import type { RenderData } from "../runtime/renderer";
import { Renderer } from "../runtime/renderer";
import { HostModel, settle } from "./fakes";

function setup(budget?: number) {
  const sent: RenderData[] = [];
  const r = new Renderer((d) => sent.push(JSON.parse(JSON.stringify(d))), budget);
  return { r, sent };
}

function mutations(d: RenderData): Mutation[] {
  assert.ok("mutations" in d, `expected mutations, got ${JSON.stringify(d)}`);
  return d.mutations;
}

function handlerOf(node: WireElement, prop: string): string {
  return (node.props[prop] as { $handler: string }).$handler;
}

test("the first render sends the whole tree, handlers as ids", async () => {
  const { r, sent } = setup();
  r.render("root-1", (
    <Card>
      <TextBlock text="Hi" />
      <Button variant="primary" onClick={() => {}}>
        Say hello
      </Button>
    </Card>
  ));
  assert.equal(sent.length, 0, "nothing is sent before the tick ends");
  await settle();
  assert.equal(sent.length, 1);
  const d = sent[0];
  assert.ok("mount" in d);
  assert.equal(d.root_id, "root-1");
  const card = d.mount[0] as WireElement;
  assert.equal(card.type, "Card");
  assert.deepEqual(card.props, {});
  const [text, button] = card.children as WireElement[];
  assert.deepEqual(text.props, { text: "Hi" });
  assert.equal(button.props.variant, "primary");
  assert.match(handlerOf(button, "onClick"), /^h\d+$/);
  assert.deepEqual(button.children.map((c) => ("text" in c ? c.text : null)), ["Say hello"]);
  const ids = [card.id, text.id, button.id, button.children[0].id];
  assert.ok(ids.every((id) => Number.isInteger(id) && id > 0));
  assert.equal(new Set(ids).size, ids.length, "ids are unique");
  assert.ok(!("children" in card.props) && !("key" in card.props));
});

function Counter() {
  const [n, setN] = useState(0);
  const [label, setLabel] = useState("Count");
  const inc = () => setN(n + 1);
  return (
    <Stack>
      <TextBlock text={`n=${n}`} />
      <Input value={label} onChange={(v: string) => setLabel(v)} />
      <Button onClick={inc}>{label}</Button>
    </Stack>
  );
}

test("a handler's update sends only the changed props, in one message per tick", async () => {
  const { r, sent } = setup();
  r.render("w", <Counter />);
  await settle();
  const stack = (sent[0] as { mount: WireElement[] }).mount[0];
  const [text, input, button] = stack.children as WireElement[];
  const inc = handlerOf(button, "onClick");
  sent.length = 0;

  assert.equal(r.callHandler(inc, []), true);
  await settle();
  assert.equal(sent.length, 1);
  // Only the text changed. The button and input got new closures, which
  // take over their handler ids: nothing is sent for them.
  const ms = mutations(sent[0]);
  assert.deepEqual(ms, [{ op: "props", id: text.id, props: { text: "n=1" } }]);
  // The same id now runs the new closure (n is 1 there): a click in flight
  // during the re-render is not lost, and it counts from the new state.
  sent.length = 0;
  assert.equal(r.callHandler(inc, []), true);
  await settle();
  assert.deepEqual(mutations(sent[0]), [{ op: "props", id: text.id, props: { text: "n=2" } }]);
  void input;
});

test("a handler prop that goes away takes its id with it", async () => {
  const { r, sent } = setup();
  r.render("w", <Button onClick={() => {}}>A</Button>);
  await settle();
  const id = handlerOf((sent[0] as { mount: WireElement[] }).mount[0], "onClick");
  sent.length = 0;
  r.render("w", <Button>A</Button>);
  await settle();
  assert.equal(sent.length, 1);
  assert.equal(r.callHandler(id, []), false, "a removed handler is dead");
});

test("text updates are text records on the text node", async () => {
  const { r, sent } = setup();
  r.render("w", <Counter />);
  await settle();
  const stack = (sent[0] as { mount: WireElement[] }).mount[0];
  const input = stack.children[1] as WireElement;
  const button = stack.children[2] as WireElement;
  const label = button.children[0];
  sent.length = 0;
  r.callHandler(handlerOf(input, "onChange"), ["Clicks"]);
  await settle();
  const ms = mutations(sent[0]);
  assert.deepEqual(ms.find((m) => m.op === "text"), { op: "text", id: label.id, text: "Clicks" });
});

test("a same function keeps its handler id and sends nothing", async () => {
  const { r, sent } = setup();
  const onClick = () => {};
  r.render("w", <Button onClick={onClick}>A</Button>);
  await settle();
  const id = handlerOf((sent[0] as { mount: WireElement[] }).mount[0], "onClick");
  sent.length = 0;
  r.render("w", <Button onClick={onClick}>A</Button>);
  await settle();
  assert.equal(sent.length, 0);
  assert.equal(r.callHandler(id, []), true);
});

test("a reorder is remove then insert of the same subtree, ids kept", async () => {
  const { r, sent } = setup();
  const list = (keys: string[]) => (
    <Stack>
      {keys.map((k) => (
        <TextBlock key={k} text={k} />
      ))}
    </Stack>
  );
  r.render("w", list(["a", "b", "c"]));
  await settle();
  const stack = (sent[0] as { mount: WireElement[] }).mount[0];
  const [a, b, c] = stack.children as WireElement[];
  const host = new HostModel();
  host.apply(sent[0]);
  sent.length = 0;
  r.render("w", list(["c", "a", "b"]));
  await settle();
  const ms = mutations(sent[0]);
  assert.ok(ms.length > 0 && ms.every((m) => m.op === "remove" || m.op === "insert"));
  for (const d of sent) host.apply(d);
  const after = host.children[0] as WireElement;
  assert.equal(after.id, stack.id);
  assert.deepEqual(after.children.map((n) => n.id), [c.id, a.id, b.id], "same nodes, new order");
  assert.deepEqual(after.children.map((n) => (n as WireElement).props.text), ["c", "a", "b"]);
});

test("unmounting a child removes it and kills its handlers", async () => {
  const { r, sent } = setup();
  const tree = (show: boolean) => <Card>{show && <Button onClick={() => {}}>X</Button>}</Card>;
  r.render("w", tree(true));
  await settle();
  const card = (sent[0] as { mount: WireElement[] }).mount[0];
  const button = card.children[0] as WireElement;
  const h = handlerOf(button, "onClick");
  sent.length = 0;
  r.render("w", tree(false));
  await settle();
  assert.deepEqual(mutations(sent[0]), [{ op: "remove", parent_id: card.id, id: button.id }]);
  assert.equal(r.callHandler(h, []), false, "a dead handler is ignored");
  assert.equal(r.handlers.size, 0);
});

test("inserting a child sends its whole subtree at its index", async () => {
  const { r, sent } = setup();
  const tree = (show: boolean) => (
    <Stack>
      <TextBlock text="first" />
      {show && (
        <Card>
          <TextBlock text="inner" />
        </Card>
      )}
      <TextBlock text="last" />
    </Stack>
  );
  r.render("w", tree(false));
  await settle();
  const stack = (sent[0] as { mount: WireElement[] }).mount[0];
  sent.length = 0;
  r.render("w", tree(true));
  await settle();
  const [m] = mutations(sent[0]);
  assert.equal(m.op, "insert");
  assert.ok(m.op === "insert");
  assert.equal(m.parent_id, stack.id);
  assert.equal(m.index, 1);
  const node = m.node as WireElement;
  assert.equal(node.type, "Card");
  assert.deepEqual((node.children[0] as WireElement).props, { text: "inner" });
});

test("unmounting a root sends nothing and kills every handler", async () => {
  const { r, sent } = setup();
  r.render("w", <Button onClick={() => {}}>X</Button>);
  await settle();
  const h = handlerOf((sent[0] as { mount: WireElement[] }).mount[0], "onClick");
  sent.length = 0;
  r.unmount("w");
  await settle();
  assert.equal(sent.length, 0);
  assert.equal(r.callHandler(h, []), false);
  assert.equal(r.has("w"), false);
});

test("a tree larger than one message is split into a mount and inserts", async () => {
  const { r, sent } = setup(4096);
  const many = Array.from({ length: 200 }, (_, i) => `line ${i}`);
  r.render("w", (
    <Stack>
      {many.map((t) => (
        <TextBlock key={t} text={t} />
      ))}
    </Stack>
  ));
  await settle();
  assert.ok(sent.length > 2);
  for (const d of sent) assert.ok(JSON.stringify(d).length <= 4096);
  assert.ok("mount" in sent[0]);
  const inserted = sent.slice(1).flatMap((d) => mutations(d));
  assert.equal(inserted.filter((m) => m.op === "insert").length, 201);
});

test("texts are kept within 10,000 characters", async () => {
  const { r, sent } = setup();
  r.render("w", <Card>{"x".repeat(12_000)}</Card>);
  await settle();
  const card = (sent[0] as { mount: WireElement[] }).mount[0];
  assert.equal((card.children[0] as { text: string }).text.length, 10_000);
});

// A small deterministic PRNG, so a failing sequence can be replayed.
function prng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

test("after any sequence of updates the host's tree equals the frame's", async () => {
  const { r, sent } = setup();
  const host = new HostModel();
  const rand = prng(42);
  type Item = { key: number; label: string; nested: boolean };
  const tree = (items: Item[]) => (
    <Stack>
      {items.map((it) => (
        <Card key={it.key}>
          {it.label}
          {it.nested && <Button onClick={() => {}}>{`b${it.key}`}</Button>}
        </Card>
      ))}
    </Stack>
  );
  let items: Item[] = [];
  let next = 0;
  for (let step = 0; step < 200; step++) {
    const roll = rand();
    if (roll < 0.3 || items.length === 0) items = [...items, { key: next++, label: `n${next}`, nested: rand() < 0.5 }];
    else if (roll < 0.5) items = items.filter((_, i) => i !== Math.floor(rand() * items.length));
    else if (roll < 0.7) items = [...items].sort(() => rand() - 0.5);
    else if (roll < 0.85) items = items.map((it) => (rand() < 0.3 ? { ...it, label: `${it.label}'` } : it));
    else items = items.map((it) => (rand() < 0.3 ? { ...it, nested: !it.nested } : it));
    r.render("w", tree(items));
    if (rand() < 0.5) await settle(); // sometimes several commits share a tick
  }
  await settle();
  for (const d of sent) host.apply(d);
  assert.deepEqual(host.children, r.snapshot("w"));
});

test("Suspense hides and shows content with removes and inserts", async () => {
  const { Suspense, use } = await import("react");
  const { r, sent } = setup();
  const host = new HostModel();
  let resolve!: (v: string) => void;
  const pending = new Promise<string>((res) => (resolve = res));
  const ready = Promise.resolve("ready");
  Object.assign(ready, { status: "fulfilled", value: "ready" });
  function Show({ p }: { p: Promise<string> }) {
    return <TextBlock text={use(p)} />;
  }
  const tree = (p: Promise<string>) => (
    <Stack>
      <Suspense fallback={<TextBlock text="loading" />}>
        <Show p={p} />
      </Suspense>
    </Stack>
  );
  r.render("w", tree(ready));
  await settle();
  r.render("w", tree(pending));
  await settle();
  for (const d of sent.splice(0)) host.apply(d);
  assert.deepEqual(host.children, r.snapshot("w"));
  assert.ok(JSON.stringify(host.children).includes("loading"));
  resolve("done");
  // React reveals content no sooner than 300 ms after it showed a fallback.
  await new Promise((res) => setTimeout(res, 400));
  for (const d of sent.splice(0)) host.apply(d);
  assert.deepEqual(host.children, r.snapshot("w"));
  const texts = JSON.stringify(host.children);
  assert.ok(!texts.includes("loading") && texts.includes("done"), texts);
});
