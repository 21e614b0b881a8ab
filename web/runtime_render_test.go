package web

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The host renderer (static/runtime/render.js) driven in Chromium through
// testdata/runtime/render.html. Skipped with -short.

const mountContact = `harness.reset(); harness.mount([
  {id: 1, type: "Card", props: {}, children: [
    {id: 2, type: "CardHeader", props: {}, children: [
      {id: 3, type: "CardTitle", props: {}, children: [{id: 4, text: "Contact"}]}]},
    {id: 5, type: "CardContent", props: {}, children: [
      {id: 6, type: "Stack", props: {direction: "row", gap: "sm", align: "center"}, children: [
        {id: 7, type: "Avatar", props: {src: "https://example.test/ada.png", alt: "Ada", fallback: "AL", size: "sm"}, children: []},
        {id: 8, type: "TextBlock", props: {text: "Ada Lovelace", tone: "muted"}, children: []},
        {id: 9, type: "Badge", props: {variant: "success", text: "VIP"}, children: []}]},
      {id: 10, type: "Input", props: {name: "email", label: "Email", type: "email", placeholder: "you@example.com", defaultValue: "ada@example.com", required: true}, children: []},
      {id: 11, type: "Select", props: {name: "stage", label: "Stage", value: "won", options: [{value: "new", label: "New"}, {value: "won", label: "Won"}]}, children: []},
      {id: 12, type: "Switch", props: {name: "vip", label: "VIP", defaultChecked: true}, children: []},
      {id: 13, type: "Separator", props: {}, children: []},
      {id: 14, type: "Typography", props: {variant: "h2"}, children: [{id: 15, text: "Notes"}]},
      {id: 16, type: "Alert", props: {variant: "warning", title: "Heads up", description: "Overdue"}, children: []},
      {id: 17, type: "Button", props: {variant: "primary", size: "lg", onClick: {$handler: "h1"}}, children: [{id: 18, text: "Save"}]}]}]}])`

func TestRenderMount(t *testing.T) {
	ctx := openHarness(t)
	if ok := eval[bool](t, ctx, mountContact); !ok {
		t.Fatalf("mount refused: %v", eval[any](t, ctx, `harness.refusals`))
	}
	got := eval[map[string]any](t, ctx, `(() => {
	  const s = document.getElementById("surface"), q = (sel) => s.querySelector(sel);
	  return {
	    nodes: harness.root.nodeCount(),
	    card: s.firstElementChild.className,
	    title: q(".card > .ui-card-header > h3.ui-card-title").textContent,
	    row: q(".ui-card-content > .ui-stack").dataset.direction + "/" + q(".ui-card-content > .ui-stack").dataset.gap,
	    avatar: q(".ui-avatar img").getAttribute("src") + " " + q(".ui-avatar img").alt + " " + q(".ui-avatar img").referrerPolicy,
	    text: q("p.ui-textblock[data-tone=muted]").textContent,
	    badge: q(".ui-badge[data-variant=success]").textContent,
	    input: [q("input").name, q("input").type, q("input").placeholder, q("input").value, q("input").required, q(".ui-field-label").textContent].join(" "),
	    select: q("select").value + " " + q("select").options.length,
	    toggle: q(".ui-switch input").checked + " " + q(".ui-switch input").getAttribute("role"),
	    separator: q("hr.ui-separator").getAttribute("aria-orientation"),
	    heading: q("h2.ui-typography").textContent,
	    alert: q(".ui-alert[data-variant=warning] .ui-alert-title").textContent + " / " + q(".ui-alert-description").textContent,
	    button: [q("button.ui-button").type, q("button.ui-button").dataset.variant, q("button.ui-button").dataset.size, q("button.ui-button").textContent].join(" "),
	    surfaceIsApps: s.hasAttribute("data-app-root"),
	  };
	})()`)
	want := map[string]any{
		"nodes":         18.0,
		"card":          "card ui-card",
		"title":         "Contact",
		"row":           "row/sm",
		"avatar":        "https://example.test/ada.png Ada no-referrer",
		"text":          "Ada Lovelace",
		"badge":         "VIP",
		"input":         "email email you@example.com ada@example.com true Email",
		"select":        "won 2",
		"toggle":        "true switch",
		"separator":     "horizontal",
		"heading":       "Notes",
		"alert":         "Heads up / Overdue",
		"button":        "button primary lg Save",
		"surfaceIsApps": true,
	}
	if asJSON(t, got) != asJSON(t, want) {
		t.Errorf("rendered\n%s\nwant\n%s", asJSON(t, got), asJSON(t, want))
	}
	noPageErrors(t, ctx)
}

// listState describes the Badges of the first Stack: text, variant and
// whether the DOM element is the one tagged before the step.
const listState = `[...document.querySelector("#surface > .ui-stack").children].map((e) => e.textContent + ":" + e.dataset.variant + (e.__tag ? "" : ":new"))`

func TestRenderMutations(t *testing.T) {
	ctx := openHarness(t)
	eval[bool](t, ctx, `harness.reset(); harness.mount([
	  {id: 1, type: "Stack", props: {}, children: [
	    {id: 10, type: "Badge", props: {text: "a"}, children: []},
	    {id: 11, type: "Badge", props: {text: "b"}, children: []},
	    {id: 12, type: "Badge", props: {text: "c"}, children: []}]},
	  {id: 2, type: "TextBlock", props: {}, children: [{id: 3, text: "hello"}]},
	  {id: 4, type: "Typography", props: {variant: "h2"}, children: [{id: 5, text: "Title"}]}])`)

	steps := []struct {
		name      string
		mutations string
		list      []string
		check     string // a JS expression that must be true after the step
	}{
		{"props update changes that element in place", `[{op: "props", id: 11, props: {text: "B", variant: "success"}}]`,
			[]string{"a:default", "B:success", "c:default"}, `harness.kept() === tagged`},
		{"text update keeps the text node", `[{op: "text", id: 3, text: "world"}]`,
			[]string{"a:default", "B:success", "c:default"}, `harness.kept() === tagged && document.querySelector(".ui-textblock").textContent === "world"`},
		{"insert at an index", `[{op: "insert", parent_id: 1, index: 1, node: {id: 13, type: "Badge", props: {text: "n"}, children: []}}]`,
			[]string{"a:default", "n:default:new", "B:success", "c:default"}, `harness.kept() === tagged`},
		{"insert at the end", `[{op: "insert", parent_id: 1, index: 4, node: {id: 14, type: "Badge", props: {text: "z"}, children: []}}]`,
			[]string{"a:default", "n:default", "B:success", "c:default", "z:default:new"}, `harness.kept() === tagged`},
		{"remove", `[{op: "remove", parent_id: 1, id: 13}, {op: "remove", parent_id: 1, id: 14}]`,
			[]string{"a:default", "B:success", "c:default"}, `harness.root.nodeCount() === 8`},
		{"reorder is a remove and an insert", `[{op: "remove", parent_id: 1, id: 12}, {op: "insert", parent_id: 1, index: 0, node: {id: 12, type: "Badge", props: {text: "c"}, children: []}}]`,
			[]string{"c:default:new", "a:default", "B:success"}, `harness.root.nodeCount() === 8`},
		{"insert of an existing id replaces it", `[{op: "insert", parent_id: 1, index: 2, node: {id: 10, type: "Badge", props: {text: "A"}, children: []}}]`,
			[]string{"c:default", "B:success", "A:default:new"}, `harness.root.nodeCount() === 8`},
		{"a new Typography tag keeps the children", `[{op: "props", id: 4, props: {variant: "h3"}}]`,
			[]string{"c:default", "B:success", "A:default"}, `!document.querySelector("h2.ui-typography") && document.querySelector("h3.ui-typography").firstChild.__tag !== undefined && document.querySelector("h3.ui-typography").textContent === "Title"`},
		{"insert at the root", `[{op: "insert", parent_id: 0, index: 0, node: {id: 20, type: "Separator", props: {}, children: []}}]`,
			[]string{"c:default", "B:success", "A:default"}, `document.querySelector("#surface").firstElementChild.localName === "hr" && harness.kept() === tagged`},
	}
	for _, step := range steps {
		got := eval[map[string]any](t, ctx, `(() => {
		  const tagged = harness.tag();
		  const applied = harness.apply(`+step.mutations+`);
		  return {applied, list: `+listState+`, check: `+step.check+`, refusals: harness.refusals};
		})()`)
		want := map[string]any{"applied": true, "list": step.list, "check": true, "refusals": []any{}}
		if asJSON(t, got) != asJSON(t, want) {
			t.Fatalf("%s:\n got %s\nwant %s", step.name, asJSON(t, got), asJSON(t, want))
		}
	}
	noPageErrors(t, ctx)
}

func TestRenderHandlers(t *testing.T) {
	ctx := openHarness(t)
	eval[bool](t, ctx, `harness.reset(); window.stillHere = true; harness.mount([
	  {id: 1, type: "Form", props: {onSubmit: {$handler: "submit"}}, children: [
	    {id: 2, type: "Input", props: {name: "email", onChange: {$handler: "change"}, onBlur: {$handler: "blur"}}, children: []},
	    {id: 3, type: "Checkbox", props: {name: "agree", label: "Agree", onChange: {$handler: "check"}}, children: []},
	    {id: 4, type: "Select", props: {name: "stage", options: [{value: "new", label: "New"}, {value: "won", label: "Won"}], onChange: {$handler: "select"}}, children: []},
	    {id: 5, type: "Button", props: {type: "submit", onClick: {$handler: "click"}}, children: [{id: 6, text: "Send"}]},
	    {id: 8, type: "Label", props: {text: "Your email", for: "email"}, children: []}]},
	  {id: 7, type: "Banner", props: {title: "New", dismissible: true, onDismiss: {$handler: "dismiss"}}, children: []}])`)

	steps := []struct {
		name   string
		action chromedp.Action[chromedp.Void]
		calls  string // the JSON of the handler calls the step makes
	}{
		{"button click and form submit", chromedp.Click(`button.ui-button`),
			`[{"handlerId":"click","args":[]},{"handlerId":"submit","args":[{"email":"","agree":false,"stage":"new"}]}]`},
		{"input onChange per keystroke", chromedp.SendKeys(`input[name=email]`, "ab"),
			`[{"handlerId":"change","args":["a"]},{"handlerId":"change","args":["ab"]}]`},
		{"checkbox onChange and input onBlur", chromedp.Click(`input[name=agree]`),
			`[{"handlerId":"blur","args":[]},{"handlerId":"check","args":[true]}]`},
		{"select onChange", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector("select"); s.value = "won"; s.dispatchEvent(new Event("change")); })()`),
			`[{"handlerId":"select","args":["won"]}]`},
		{"banner onDismiss", chromedp.Click(`.ui-banner-dismiss`),
			`[{"handlerId":"dismiss","args":[]}]`},
		{"submit sends every named control", chromedp.Click(`button.ui-button`),
			`[{"handlerId":"click","args":[]},{"handlerId":"submit","args":[{"email":"ab","agree":true,"stage":"won"}]}]`},
	}
	for _, step := range steps {
		eval[int](t, ctx, `harness.calls = []; 0`)
		if err := chromedp.Do(ctx, step.action); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		n := strings.Count(step.calls, "handlerId")
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](`harness.calls.length >= `+strconv.Itoa(n), chromedp.WithPollingTimeout(5*time.Second)))
		got := eval[any](t, ctx, `harness.calls`)
		if err != nil || asJSON(t, got) != asJSON(t, fromJSON(t, step.calls)) {
			t.Fatalf("%s: calls %s (%v), want %s", step.name, asJSON(t, got), err, step.calls)
		}
	}
	// A Label's for names a control of the root.
	if err := chromedp.Do(ctx, chromedp.Click(`label.ui-label`)); err != nil {
		t.Fatal(err)
	}
	if name := eval[string](t, ctx, `document.activeElement.name`); name != "email" {
		t.Errorf("clicking the Label focused %q, want the email input", name)
	}
	// A new handler id in a props update is the one called.
	eval[bool](t, ctx, `document.activeElement.blur(); harness.calls = []; harness.apply([{op: "props", id: 5, props: {onClick: {$handler: "click2"}}}])`)
	if err := chromedp.Do(ctx, chromedp.Click(`button.ui-button`)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`harness.calls.length >= 1`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Fatal(err)
	}
	if got := asJSON(t, eval[any](t, ctx, `harness.calls`)); got != `[{"args":[],"handlerId":"click2"}]` {
		t.Errorf("after the props update, the click called %s", got)
	}
	if !eval[bool](t, ctx, `window.stillHere === true && location.pathname.endsWith("/render.html") && location.search === ""`) {
		t.Error("submitting the Form navigated the page")
	}
	noPageErrors(t, ctx)
}

// A controlled Input follows its value prop without undoing keystrokes the
// app has not answered yet, and keeps the caret.
func TestRenderControlledInput(t *testing.T) {
	ctx := openHarness(t)
	eval[bool](t, ctx, `harness.reset(); harness.mount([{id: 1, type: "Input", props: {value: "x", onChange: {$handler: "c"}}, children: []}])`)
	value := func(want string) {
		t.Helper()
		if got := eval[string](t, ctx, `document.querySelector("input").value`); got != want {
			t.Fatalf("input value %q, want %q", got, want)
		}
	}
	props := func(v string) {
		t.Helper()
		eval[bool](t, ctx, `harness.apply([{op: "props", id: 1, props: {value: `+asJSON(t, v)+`, onChange: {$handler: "c"}}}])`)
	}
	value("x")
	if err := chromedp.Do(ctx, chromedp.SendKeys(`input`, "yz")); err != nil {
		t.Fatal(err)
	}
	value("xyz")
	props("xy") // the echo of the first keystroke: the second is on its way
	value("xyz")
	props("xyz")
	value("xyz")
	props("HELLO") // the app's own value wins
	value("HELLO")
	eval[bool](t, ctx, `document.querySelector("input").setSelectionRange(2, 2); true`)
	props("HELLO!")
	value("HELLO!")
	if at := eval[int](t, ctx, `document.querySelector("input").selectionStart`); at != 2 {
		t.Errorf("caret at %d after a value update, want 2", at)
	}
	noPageErrors(t, ctx)
}

// Checkbox, Switch and Select follow their controlled props; an
// uncontrolled Select keeps the user's choice when its options change.
func TestRenderControlledChoices(t *testing.T) {
	ctx := openHarness(t)
	eval[bool](t, ctx, `harness.reset(); harness.mount([
	  {id: 1, type: "Checkbox", props: {name: "a", checked: false}, children: []},
	  {id: 2, type: "Switch", props: {name: "b", checked: true}, children: []},
	  {id: 3, type: "Select", props: {name: "c", value: "x", options: [{value: "x", label: "X"}, {value: "y", label: "Y"}]}, children: []},
	  {id: 4, type: "Select", props: {name: "d", placeholder: "Pick one", options: [{value: "x", label: "X"}, {value: "y", label: "Y"}]}, children: []}])`)
	state := `[...document.querySelectorAll("#surface input, #surface select")].map((c) => c.type === "checkbox" ? String(c.checked) : c.value).join(" ")`
	steps := []struct{ name, js, want string }{
		{"first render", `true`, "false true x "},
		{"checked props", `harness.apply([{op: "props", id: 1, props: {name: "a", checked: true}}, {op: "props", id: 2, props: {name: "b", checked: false}}])`, "true false x "},
		{"select value prop", `harness.apply([{op: "props", id: 3, props: {name: "c", value: "y", options: [{value: "x", label: "X"}, {value: "y", label: "Y"}]}}])`, "true false y "},
		{"the user picks in the uncontrolled select", `(document.querySelector("select[name=d]").value = "y", true)`, "true false y y"},
		{"new options keep that choice", `harness.apply([{op: "props", id: 4, props: {name: "d", placeholder: "Pick one", options: [{value: "y", label: "Y"}, {value: "z", label: "Z"}]}}])`, "true false y y"},
	}
	for _, step := range steps {
		if got := eval[string](t, ctx, `(`+step.js+`, `+state+`)`); got != step.want {
			t.Fatalf("%s: %q, want %q", step.name, got, step.want)
		}
	}
	noPageErrors(t, ctx)
}
