// The page the Go tests drive (web/runtime_*_test.go): one root in
// #surface, recording handler calls and refusals.
import {createRoot} from "/static/runtime/render.js";
import * as bench from "./bench.js";

const surface = document.getElementById("surface");

// Tree builders for the tests and the benchmark.
let nextId = 1000000;
const id = () => ++nextId;
const badge = (text, n = id()) => ({id: n, type: "Badge", props: {text}, children: []});
// wide(n): a Stack holding n-1 Badges, n nodes in all.
const wide = (n) => ({id: id(), type: "Stack", props: {}, children: Array.from({length: n - 1}, (_, i) => badge("b" + i))});
// deep(n): n nested Stacks.
const deep = (n) => {
  let node = {id: id(), type: "Stack", props: {}, children: []};
  for (let i = 1; i < n; i++) node = {id: id(), type: "Stack", props: {}, children: [node]};
  return node;
};

const harness = {
  calls: [],
  refusals: [],
  root: null,
  wide, deep, badge,
  reset() {
    this.root?.destroy();
    this.calls = [];
    this.refusals = [];
    this.root = createRoot(surface, {
      onHandler: (handlerId, args) => this.calls.push({handlerId, args}),
      onRefused: (info) => this.refusals.push(info),
    });
  },
  mount(children) { return this.root.mount(children); },
  apply(mutations) { return this.root.apply(mutations); },
  // tag marks every element and text node under #surface with its app
  // node's place, so a later check sees which DOM objects were kept.
  tag() {
    const all = [...surface.querySelectorAll("*")];
    const walker = document.createTreeWalker(surface, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) all.push(walker.currentNode);
    all.forEach((n, i) => { n.__tag = "t" + i; });
    return all.length;
  },
  // kept counts the tagged nodes still in #surface.
  kept() {
    let n = 0;
    const walker = document.createTreeWalker(surface, NodeFilter.SHOW_ALL);
    while (walker.nextNode()) if (walker.currentNode.__tag) n++;
    return n;
  },
  // refusedState says what the tests check after a refusal.
  refusedState() {
    const error = surface.querySelector("[data-testid=surface-error]");
    return {
      refusals: this.refusals,
      error: error ? error.textContent : "",
      errorVisible: !!error && error.offsetHeight > 0,
      onlyError: surface.childNodes.length === 1 && surface.firstChild === error && error.children.length === 0,
      nodeCount: this.root.nodeCount(),
    };
  },
};

window.harness = harness;
window.bench = bench;
window.harnessReady = true;
