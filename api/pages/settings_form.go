package pages

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"appstore/models"
)

// settingsForm is an HTML form generated from one scope of a settings
// schema, rendered by the "settings_form" template and submitted by
// web/static/settings_form.js.
type settingsForm struct {
	Scope  models.SettingsScope
	URL    string // where the JSON is PUT
	Fields []settingsField
}

// settingsField is one input (or, for an object, a fieldset of inputs).
// Name is the dotted path below the scope (limits.daily); Type is the JSON
// type the script sends the value as.
type settingsField struct {
	Name, ID, Label, Hint string
	Kind                  string // text, password, number, checkbox, select, fieldset
	Type                  string // string, number, integer, boolean, object
	Required              bool
	Value                 string
	Checked               bool
	Options               []settingsOption
	Min, Max, Step        string
	MinLength, MaxLength  string
	Pattern               string
	Fields                []settingsField
}

type settingsOption struct {
	Value, Label string
	Selected     bool
}

// buildSettingsForm generates the form of an object schema with the
// current values filled in (a property's default where there is none).
func buildSettingsForm(scope models.SettingsScope, url string, schema map[string]any, values map[string]any) settingsForm {
	return settingsForm{Scope: scope, URL: url, Fields: objectFields(string(scope), "", schema, values)}
}

// objectFields lists the fields of an object schema, in x-order when the
// schema gives one, else by name.
func objectFields(scope, prefix string, schema, values map[string]any) []settingsField {
	props, _ := schema["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	slices.Sort(names)
	if order, ok := schema["x-order"].([]any); ok {
		rank := map[string]int{}
		for i, v := range order {
			rank[fmt.Sprint(v)] = i - len(order) // listed names first
		}
		slices.SortStableFunc(names, func(a, b string) int { return rank[a] - rank[b] })
	}
	required := map[string]bool{}
	if req, ok := schema["required"].([]any); ok {
		for _, r := range req {
			required[fmt.Sprint(r)] = true
		}
	}
	out := make([]settingsField, 0, len(names))
	for _, name := range names {
		p, _ := props[name].(map[string]any)
		v, has := values[name]
		if !has {
			v = p["default"]
		}
		out = append(out, propertyField(scope, prefix+name, name, p, v, required[name]))
	}
	return out
}

func propertyField(scope, path, name string, p map[string]any, value any, required bool) settingsField {
	f := settingsField{Name: path, ID: "setting-" + scope + "-" + strings.ReplaceAll(path, ".", "-"),
		Label: name, Required: required}
	if t, ok := p["title"].(string); ok && t != "" {
		f.Label = t
	}
	f.Hint, _ = p["description"].(string)
	typ, _ := p["type"].(string)
	if enum, ok := p["enum"].([]any); ok {
		f.Kind, f.Type = "select", enumType(enum)
		labels, _ := p["x-enum-labels"].([]any)
		for i, e := range enum {
			o := settingsOption{Value: formValue(e), Label: formValue(e)}
			if i < len(labels) {
				o.Label = fmt.Sprint(labels[i])
			}
			o.Selected = value != nil && formValue(value) == o.Value
			f.Options = append(f.Options, o)
		}
		return f
	}
	switch typ {
	case "object":
		f.Kind, f.Type = "fieldset", "object"
		nested, _ := value.(map[string]any)
		f.Fields = objectFields(scope, path+".", p, nested)
	case "boolean":
		f.Kind, f.Type = "checkbox", "boolean"
		f.Checked, _ = value.(bool)
	case "number", "integer":
		f.Kind, f.Type = "number", typ
		f.Min, f.Max = numberAttr(p["minimum"]), numberAttr(p["maximum"])
		f.Step = "any"
		if typ == "integer" {
			f.Step = "1"
		}
		if m := numberAttr(p["multipleOf"]); m != "" {
			f.Step = m
		}
		f.Value = formValue(value)
	default:
		f.Kind, f.Type = "text", "string"
		if p["format"] == "password" || p["writeOnly"] == true {
			f.Kind = "password"
		}
		f.MinLength, f.MaxLength = numberAttr(p["minLength"]), numberAttr(p["maxLength"])
		f.Pattern, _ = p["pattern"].(string)
		f.Value = formValue(value)
	}
	return f
}

// enumType is the JSON type a select's values are sent as.
func enumType(enum []any) string {
	typ := ""
	for _, e := range enum {
		t := "string"
		switch e.(type) {
		case float64, json.Number, int, int64:
			t = "number"
		case bool:
			t = "boolean"
		}
		if typ != "" && typ != t {
			return "string"
		}
		typ = t
	}
	if typ == "" {
		return "string"
	}
	return typ
}

// formValue prints a value as an input holds it; nil is empty.
func formValue(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func numberAttr(v any) string {
	switch v.(type) {
	case float64, json.Number, int, int64:
		return formValue(v)
	}
	return ""
}
