package web

import (
	"strings"
	"testing"
)

// A tree the platform does not allow is never rendered, not even in part:
// the root shows the error, holds no app node, and reports once.

// validTree is a root's first render; its text must vanish on a refusal.
const validTree = `[{id: 1, type: "Stack", props: {}, children: [
  {id: 2, type: "TextBlock", props: {text: "APP-TEXT"}, children: []},
  {id: 3, type: "Button", props: {onClick: {$handler: "h1"}}, children: [{id: 4, text: "APP-BUTTON"}]}]}]`

const refusalPrefix = "This app tried to render something the platform does not allow: "

func TestRenderRefusals(t *testing.T) {
	// node is a JS expression of one node, refused when mounted beside
	// validTree's nodes and when inserted into it.
	nodes := []struct{ name, node, reason string }{
		{"unknown component", `{id: 900, type: "Iframe", props: {}, children: []}`, "Iframe: is not a component the platform renders"},
		{"unknown prop", `{id: 900, type: "Button", props: {href: "https://example.test"}, children: []}`, "Button.href: is not a prop of this component"},
		{"style", `{id: 900, type: "Stack", props: {style: {position: "fixed"}}, children: []}`, "Stack.style: style is not allowed"},
		{"className", `{id: 900, type: "Card", props: {className: "card"}, children: []}`, "Card.className: className is not allowed"},
		{"dangerouslySetInnerHTML", `{id: 900, type: "TextBlock", props: {dangerouslySetInnerHTML: {__html: "<img src=x onerror=alert(1)>"}}, children: []}`, "TextBlock.dangerouslySetInnerHTML: raw HTML is not allowed"},
		{"unlisted event", `{id: 900, type: "Stack", props: {onMouseOver: {$handler: "h9"}}, children: []}`, "Stack.onMouseOver: is not an event this component fires"},
		{"children as a prop", `{id: 900, type: "Stack", props: {children: "x"}, children: []}`, "Stack.children: is not a prop"},
		{"__proto__ prop", `JSON.parse('{"id": 900, "type": "Stack", "props": {"__proto__": {"x": 1}}, "children": []}')`, "Stack.__proto__: is not a prop"},
		{"javascript: Avatar src", `{id: 900, type: "Avatar", props: {src: "javascript:alert(1)"}, children: []}`, "Avatar.src: must be an https URL"},
		{"http Avatar src", `{id: 900, type: "Avatar", props: {src: "http://example.test/a.png"}, children: []}`, "Avatar.src: must be an https URL"},
		{"relative Avatar src", `{id: 900, type: "Avatar", props: {src: "/a.png"}, children: []}`, "Avatar.src: must be an https URL"},
		{"handler where a string is expected", `{id: 900, type: "TextBlock", props: {text: {$handler: "h9"}}, children: []}`, "TextBlock.text: an event handler is not allowed here"},
		{"string where a handler is expected", `{id: 900, type: "Button", props: {onClick: "alert(1)"}, children: []}`, "Button.onClick: must be an event handler"},
		{"handler with extra keys", `{id: 900, type: "Button", props: {onClick: {$handler: "h9", code: "x"}}, children: []}`, "Button.onClick: must be an event handler"},
		{"over-long string", `{id: 900, type: "TextBlock", props: {text: "x".repeat(10001)}, children: []}`, "TextBlock.text: must be at most 10000 characters"},
		{"over-long label", `{id: 900, type: "Input", props: {label: "x".repeat(201)}, children: []}`, "Input.label: must be at most 200 characters"},
		{"over-long fallback", `{id: 900, type: "Avatar", props: {fallback: "ABCD"}, children: []}`, "Avatar.fallback: must be at most 3 characters"},
		{"over-long text node", `{id: 900, type: "Stack", props: {}, children: [{id: 901, text: "x".repeat(10001)}]}`, "#text: a text may be at most 10000 characters"},
		{"wrong type", `{id: 900, type: "Button", props: {disabled: "yes"}, children: []}`, "Button.disabled: must be true or false"},
		{"value outside an enum", `{id: 900, type: "Button", props: {variant: "huge"}, children: []}`, "Button.variant: must be one of"},
		{"number out of range", `{id: 900, type: "Textarea", props: {rows: 21}, children: []}`, "Textarea.rows: must be a whole number from 1 to 20"},
		{"too many options", `{id: 900, type: "Select", props: {options: Array.from({length: 201}, (_, i) => ({value: "v" + i, label: "l"}))}, children: []}`, "Select.options: must have at most 200 options"},
		{"option with extra keys", `{id: 900, type: "Select", props: {options: [{value: "a", label: "A", style: "x"}]}, children: []}`, "Select.options: each option must be exactly {value, label}"},
		{"children of an input", `{id: 900, type: "Input", props: {}, children: [{id: 901, text: "x"}]}`, "Input: does not take children"},
		{"a node id that is not positive", `{id: -1, type: "Stack", props: {}, children: []}`, "Stack: a node id must be a positive integer"},
		{"a duplicate id", `{id: 900, type: "Stack", props: {}, children: [{id: 2, text: "x"}]}`, "#text: node id 2 is already in use"},
		{"over 5,000 nodes", `harness.wide(5001)`, "Badge: a root may hold at most 5000 nodes"},
		{"deeper than 64", `harness.deep(65)`, "Stack: a tree may be at most 64 levels deep"},
	}
	// mutations are refused after validTree rendered.
	mutations := []struct{ name, mutations, reason string }{
		{"props with style", `[{op: "props", id: 2, props: {text: "x", style: {color: "red"}}}]`, "TextBlock.style: style is not allowed"},
		{"props with a javascript: URL", `[{op: "insert", parent_id: 1, index: 0, node: {id: 50, type: "Avatar", props: {}, children: []}}, {op: "props", id: 50, props: {src: "javascript:alert(1)"}}]`, "Avatar.src: must be an https URL"},
		{"props of a text node", `[{op: "props", id: 4, props: {}}]`, "#text: a text node has no props"},
		{"over-long text", `[{op: "text", id: 4, text: "x".repeat(10001)}]`, "#text: a text may be at most 10000 characters"},
		{"text of an element", `[{op: "text", id: 2, text: "x"}]`, "TextBlock: only a text node has text"},
		{"unknown op", `[{op: "innerHTML", id: 2, html: "<b>x</b>"}]`, `root: unknown mutation "innerHTML"`},
		{"remove of an unknown node", `[{op: "remove", parent_id: 1, id: 77}]`, "root: node 77 is not in this root"},
		{"remove under the wrong parent", `[{op: "remove", parent_id: 0, id: 2}]`, "root: node 2 is not a child of 0"},
		{"insert under an unknown parent", `[{op: "insert", parent_id: 77, index: 0, node: {id: 50, text: "x"}}]`, "root: parent 77 is not in this root"},
		{"insert under an input", `[{op: "insert", parent_id: 1, index: 0, node: {id: 50, type: "Input", props: {}, children: []}}, {op: "insert", parent_id: 50, index: 0, node: {id: 51, text: "x"}}]`, "Input: does not take children"},
		{"insert at an index out of range", `[{op: "insert", parent_id: 1, index: 3, node: {id: 50, text: "x"}}]`, "root: insert index 3 is out of range"},
		{"insert into the node it replaces", `[{op: "insert", parent_id: 3, index: 0, node: {id: 1, type: "Stack", props: {}, children: []}}]`, "root: parent 3 is not in this root"},
		{"a later bad mutation undoes the earlier good ones", `[{op: "text", id: 4, text: "APP-CHANGED"}, {op: "insert", parent_id: 1, index: 0, node: {id: 50, type: "Iframe", props: {}, children: []}}]`, "Iframe: is not a component"},
	}

	ctx := openHarness(t)
	// check runs a refusing step, then more valid ones, and checks the
	// root stays refused, empty of app nodes, and reported once.
	check := func(t *testing.T, step, reason string) {
		t.Helper()
		got := eval[map[string]any](t, ctx, `(() => {
		  const result = (`+step+`);
		  const later = [harness.apply([{op: "text", id: 4, text: "APP-LATER"}]), harness.mount(`+validTree+`)];
		  return {result, later, text: document.getElementById("surface").textContent, ...harness.refusedState()};
		})()`)
		refusals, _ := got["refusals"].([]any)
		if len(refusals) != 1 {
			t.Fatalf("refusals %s, want exactly one", asJSON(t, got["refusals"]))
		}
		info := refusals[0].(map[string]any)
		described := info["component"].(string)
		if prop, ok := info["prop"].(string); ok {
			described += "." + prop
		}
		described += ": " + info["reason"].(string)
		if !strings.HasPrefix(described, reason) {
			t.Errorf("refusal %q, want it to start with %q", described, reason)
		}
		if got["error"] != refusalPrefix+described {
			t.Errorf("error shown %q, want %q", got["error"], refusalPrefix+described)
		}
		if got["result"] != false || asJSON(t, got["later"]) != "[false,false]" {
			t.Errorf("refusing step returned %v, later steps %v: want false, [false false]", got["result"], got["later"])
		}
		if got["errorVisible"] != true || got["onlyError"] != true || got["nodeCount"] != 0.0 {
			t.Errorf("after the refusal: error visible %v, only the error in the root %v, %v nodes", got["errorVisible"], got["onlyError"], got["nodeCount"])
		}
		if text := got["text"].(string); strings.Contains(text, "APP-") {
			t.Errorf("app text still shown: %q", text)
		}
		if calls := eval[int](t, ctx, `harness.calls.length`); calls != 0 {
			t.Errorf("%d handler calls", calls)
		}
	}
	for _, c := range nodes {
		t.Run("mount/"+c.name, func(t *testing.T) {
			check(t, `(harness.reset(), harness.mount([...`+validTree+`, `+c.node+`]))`, c.reason)
		})
		t.Run("insert/"+c.name, func(t *testing.T) {
			check(t, `(harness.reset(), harness.mount(`+validTree+`), harness.apply([{op: "insert", parent_id: 1, index: 1, node: `+c.node+`}]))`, c.reason)
		})
	}
	for _, c := range mutations {
		t.Run("mutation/"+c.name, func(t *testing.T) {
			check(t, `(harness.reset(), harness.mount(`+validTree+`), harness.apply(`+c.mutations+`))`, c.reason)
		})
	}
	noPageErrors(t, ctx)
}

// The limits are inclusive: exactly 5,000 nodes, depth 64, a text of
// 10,000 characters and a label of 200 render.
func TestRenderLimits(t *testing.T) {
	ctx := openHarness(t)
	cases := []struct{ name, tree string }{
		{"5,000 nodes", `[harness.wide(5000)]`},
		{"depth 64", `[harness.deep(64)]`},
		{"a text of 10,000 characters", `[{id: 1, type: "Stack", props: {}, children: [{id: 2, text: "x".repeat(10000)}]}]`},
		{"a 10,000-character string of astral characters", `[{id: 1, type: "TextBlock", props: {text: "😀".repeat(10000)}, children: []}]`},
		{"a label of 200 characters", `[{id: 1, type: "Input", props: {label: "x".repeat(200)}, children: []}]`},
	}
	for _, c := range cases {
		got := eval[map[string]any](t, ctx, `(() => {
		  harness.reset();
		  const ok = harness.mount(`+c.tree+`);
		  return {ok, refusals: harness.refusals, nodes: harness.root.nodeCount() > 0};
		})()`)
		if asJSON(t, got) != `{"nodes":true,"ok":true,"refusals":[]}` {
			t.Errorf("%s: %s", c.name, asJSON(t, got))
		}
	}
	// One more node than the limit, inserted later, is refused.
	got := eval[map[string]any](t, ctx, `(() => {
	  harness.reset();
	  const tree = harness.wide(5000);
	  harness.mount([tree]);
	  const ok = harness.apply([{op: "insert", parent_id: tree.id, index: 0, node: harness.badge("one more")}]);
	  return {ok, ...harness.refusedState()};
	})()`)
	if got["ok"] != false || got["onlyError"] != true || !strings.Contains(asJSON(t, got["refusals"]), "at most 5000 nodes") {
		t.Errorf("node 5,001: %s", asJSON(t, got))
	}
	noPageErrors(t, ctx)
}
