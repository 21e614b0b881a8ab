package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// SettingsSchemaDraft is the only JSON Schema dialect settings schemas use.
const SettingsSchemaDraft = "https://json-schema.org/draft/2020-12/schema"

// SettingsScopes are the two properties of every settings schema (DESIGN §5).
var SettingsScopes = []string{"organization", "user"}

// maxSchemaProblems bounds the field errors one bad schema reports.
const maxSchemaProblems = 20

// DefaultSettingsSchema returns the schema of an app with no settings: the
// two scopes, each an object without properties. Each call returns a new
// map.
func DefaultSettingsSchema() JSONMap {
	return JSONMap{
		"$schema": SettingsSchemaDraft,
		"type":    "object",
		"properties": map[string]any{
			"organization": map[string]any{"type": "object", "properties": map[string]any{}},
			"user":         map[string]any{"type": "object", "properties": map[string]any{}},
		},
	}
}

// settingsSchemaURL names the schema being compiled; relative references
// resolve against it and, like every other document, are never loaded.
const settingsSchemaURL = "urn:appstore:settings-schema"

// refuseLoader keeps the compiler from reading files or the network: a
// settings schema is one self-contained document.
type refuseLoader struct{}

func (refuseLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("settings schemas cannot reference other documents (%s)", url)
}

// CompileSettingsSchema checks that doc is a JSON Schema draft 2020-12 of
// the settings shape (DESIGN §5: type object with the properties
// organization and user, each an object schema and nothing else) and
// compiles it, for validating settings values. It returns an invalid
// error ("invalid_settings_schema") listing what is wrong, each field a
// path under settings_schema.
func CompileSettingsSchema(doc JSONMap) (*jsonschema.Schema, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, schemaInvalid(FieldError{Field: "settings_schema", Message: "is not JSON"})
	}
	// The compiler wants json.Number for numbers.
	parsed, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	if err != nil {
		return nil, schemaInvalid(FieldError{Field: "settings_schema", Message: "is not JSON"})
	}
	problems := settingsShapeProblems(doc)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.UseLoader(refuseLoader{})
	var sch *jsonschema.Schema
	if err = c.AddResource(settingsSchemaURL, parsed); err == nil {
		sch, err = c.Compile(settingsSchemaURL)
	}
	if err != nil {
		problems = append(problems, compileProblems(err)...)
	}
	if len(problems) > 0 {
		return nil, schemaInvalid(problems...)
	}
	return sch, nil
}

// ValidateSettingsSchema is CompileSettingsSchema for callers that only
// need the verdict.
func ValidateSettingsSchema(doc JSONMap) error {
	_, err := CompileSettingsSchema(doc)
	return err
}

func schemaInvalid(fields ...FieldError) *Error {
	if len(fields) > maxSchemaProblems {
		fields = fields[:maxSchemaProblems]
	}
	return Invalid("invalid_settings_schema",
		"The settings schema must be a JSON Schema (draft 2020-12) of type object with the object properties organization and user.",
		fields...)
}

// settingsShapeProblems checks the DESIGN §5 shape, which the meta-schema
// does not know about.
func settingsShapeProblems(doc JSONMap) []FieldError {
	var out []FieldError
	add := func(field, msg string) { out = append(out, FieldError{Field: field, Message: msg}) }
	if v, ok := doc["$schema"]; ok {
		if s, _ := v.(string); strings.TrimSuffix(s, "#") != SettingsSchemaDraft {
			add("settings_schema.$schema", "must be "+SettingsSchemaDraft+" or absent")
		}
	}
	if doc["type"] != "object" {
		add("settings_schema.type", `must be "object"`)
	}
	props, ok := doc["properties"].(map[string]any)
	if !ok {
		add("settings_schema.properties", "must be an object with the properties organization and user")
		return out
	}
	for _, scope := range SettingsScopes {
		field := "settings_schema.properties." + scope
		sc, ok := props[scope].(map[string]any)
		switch {
		case !ok:
			add(field, "must be an object schema")
		case sc["type"] != "object":
			add(field+".type", `must be "object"`)
		}
	}
	var extra []string
	for name := range props {
		if !slices.Contains(SettingsScopes, name) {
			extra = append(extra, name)
		}
	}
	slices.Sort(extra)
	for _, name := range extra {
		add("settings_schema.properties."+name, "is not a settings scope: settings go under organization or user")
	}
	return out
}

var schemaPrinter = message.NewPrinter(language.English)

// compileProblems turns a compiler error into field errors: one per
// failing keyword when the document breaks the meta-schema, else one for
// the whole document.
func compileProblems(err error) []FieldError {
	var sve *jsonschema.SchemaValidationError
	var ve *jsonschema.ValidationError
	if !errors.As(err, &sve) || !errors.As(sve.Err, &ve) {
		return []FieldError{{Field: "settings_schema", Message: err.Error()}}
	}
	var out []FieldError
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			field := "settings_schema"
			if len(e.InstanceLocation) > 0 {
				field += "." + strings.Join(e.InstanceLocation, ".")
			}
			out = append(out, FieldError{Field: field, Message: e.ErrorKind.LocalizedString(schemaPrinter)})
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

// settingTypes flattens the settings of schema into path -> type, where
// a path is scope/name[/name...] and a type is the property's enum-ness
// ("enum": a select, whatever its item type) or its type keyword; object
// properties contribute their own properties under their path. Version
// bumps compare these maps.
func settingTypes(schema JSONMap) map[string]string {
	out := map[string]string{}
	props, _ := schema["properties"].(map[string]any)
	for _, scope := range SettingsScopes {
		sc, _ := props[scope].(map[string]any)
		collectSettingTypes(scope, sc, out)
	}
	return out
}

func collectSettingTypes(prefix string, obj map[string]any, out map[string]string) {
	props, _ := obj["properties"].(map[string]any)
	for name, p := range props {
		pm, _ := p.(map[string]any)
		path := prefix + "/" + strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1")
		typ := settingType(pm)
		out[path] = typ
		if typ == "object" {
			collectSettingTypes(path, pm, out)
		}
	}
}

func settingType(p map[string]any) string {
	if _, ok := p["enum"]; ok {
		return "enum"
	}
	switch t := p["type"].(type) {
	case string:
		return t
	case []any:
		names := make([]string, 0, len(t))
		for _, v := range t {
			names = append(names, fmt.Sprint(v))
		}
		slices.Sort(names)
		return strings.Join(names, "|")
	}
	if _, ok := p["properties"]; ok {
		return "object"
	}
	return "any"
}
