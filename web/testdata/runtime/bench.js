// The render benchmarks (web/runtime_render_bench_test.go): a message with
// a 1,000-node tree goes through a MessageChannel, as the frame's render
// does, and is timed with performance.now() from postMessage until the DOM
// is built, and until it is laid out.
import {createRoot} from "/static/runtime/render.js";

const surface = document.getElementById("surface");

// contactList is a record widget of 1,000 nodes: a card listing 99 contacts.
function contactList() {
  let id = 0;
  const el = (type, props, ...children) => ({id: ++id, type, props, children});
  const text = (s) => ({id: ++id, text: s});
  const rows = [];
  for (let i = 0; i < 99; i++) {
    rows.push(el("Stack", {direction: "row", gap: "sm", align: "center"},
      el("Avatar", {fallback: "C" + (i % 10), size: "sm"}),
      el("Stack", {gap: "xs"},
        el("TextBlock", {text: "Contact " + i}),
        el("TextBlock", {text: "contact" + i + "@example.com", tone: "muted"})),
      el("Badge", {variant: i % 3 ? "secondary" : "success", text: i % 3 ? "lead" : "customer"}),
      el("Switch", {name: "vip" + i, label: "VIP", checked: i % 2 === 0, onChange: {$handler: "vip" + i}}),
      el("Input", {name: "note" + i, placeholder: "Note", value: "", onChange: {$handler: "note" + i}}),
      el("Button", {variant: "outline", size: "sm", onClick: {$handler: "open" + i}}, text("Open"))));
  }
  const tree = [el("Card", {},
    el("CardHeader", {}, el("CardTitle", {}, text("Contacts")), el("Badge", {text: "99"})),
    el("CardContent", {}, el("Stack", {gap: "sm"}, ...rows)),
    el("CardFooter", {}, el("Button", {variant: "primary"}, text("Add contact"))))];
  const middle = rows[49].children[2]; // the Badge of row 50
  return {tree, count: id, badgeId: middle.id};
}

const envelope = (data) => ({source: "appstore-extension", type: "render", appId: "app", appInstallationId: "inst", data});

function percentiles(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))];
  return {p50: at(0.5), p99: at(0.99)};
}

// timed posts each message on the port and measures until handle(data) and
// then a forced layout are done.
async function timed(messages, handle) {
  const {port1: frame, port2: host} = new MessageChannel();
  const dom = [], laidOut = [];
  let t0 = 0, resolve;
  host.onmessage = (event) => {
    handle(event.data.data);
    const t1 = performance.now();
    void surface.offsetHeight; // style and layout of what changed
    resolve([t1 - t0, performance.now() - t0]);
  };
  for (const message of messages()) {
    const done = new Promise((r) => { resolve = r; });
    t0 = performance.now();
    frame.postMessage(message);
    const [d, l] = await done;
    dom.push(d);
    laidOut.push(l);
  }
  frame.close();
  return {dom: percentiles(dom), layout: percentiles(laidOut), isolated: crossOriginIsolated};
}

function newRoot() {
  return createRoot(surface, {onHandler() {}, onRefused(info) { throw new Error("refused: " + JSON.stringify(info)); }});
}

export async function mount(n) {
  const {tree, count} = contactList();
  if (count !== 1000) throw new Error(`the tree has ${count} nodes`);
  let root = null;
  const result = await timed(function* () {
    for (let i = 0; i < n; i++) {
      root?.destroy();
      root = newRoot();
      yield envelope({root_id: "r1", mount: tree});
    }
  }, (data) => root.mount(data.mount));
  if (root.nodeCount() !== 1000) throw new Error(`rendered ${root.nodeCount()} nodes`);
  root.destroy();
  return result;
}

export async function propsUpdate(n) {
  const {tree, badgeId} = contactList();
  const root = newRoot();
  root.mount(tree);
  void surface.offsetHeight;
  const result = await timed(function* () {
    for (let i = 0; i < n; i++) {
      const props = {variant: i % 2 ? "warning" : "success", text: "customer " + i};
      yield envelope({root_id: "r1", mutations: [{op: "props", id: badgeId, props}]});
    }
  }, (data) => root.apply(data.mutations));
  const last = [...surface.querySelectorAll(".ui-badge")].find((b) => b.textContent === "customer " + (n - 1));
  if (!last) throw new Error("the last update is not shown");
  root.destroy();
  return result;
}
