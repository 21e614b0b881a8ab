package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// SettingsScope is whose settings values are: the organization's, or one
// member's own.
type SettingsScope string

// Settings scopes, the two properties of every settings schema.
const (
	ScopeOrganization SettingsScope = "organization"
	ScopeUser         SettingsScope = "user"
)

// ParseSettingsScope accepts "organization" (also the empty string) and
// "user"; anything else is an invalid error ("invalid_scope").
func ParseSettingsScope(raw string) (SettingsScope, error) {
	switch raw {
	case "", string(ScopeOrganization):
		return ScopeOrganization, nil
	case string(ScopeUser):
		return ScopeUser, nil
	}
	return "", Invalid("invalid_scope", "scope must be organization or user.",
		FieldError{Field: "scope", Message: "must be organization or user"})
}

// ScopeSchema returns the object schema of scope in a deployment's settings
// schema, or an object schema without properties when it has none.
func ScopeSchema(schema JSONMap, scope SettingsScope) JSONMap {
	props, _ := schema["properties"].(map[string]any)
	if sc, ok := props[string(scope)].(map[string]any); ok {
		return sc
	}
	return JSONMap{"type": "object", "properties": map[string]any{}}
}

// ValidateSettingsValues checks values against scope's part of a
// deployment's settings schema. It returns an invalid error
// ("invalid_settings") with one field error per broken rule, each field
// the dotted path of the value (organization.region), or an invalid error
// ("invalid_settings_schema") when the deployment's schema itself is
// broken.
func ValidateSettingsValues(schema JSONMap, scope SettingsScope, values map[string]any) error {
	if err := ValidateSettingsSchema(schema); err != nil {
		return err
	}
	// Compile the scope's subschema on its own: the other scope's rules
	// (and a top-level "required") do not apply to this save.
	raw, err := json.Marshal(schema)
	if err != nil {
		return fmt.Errorf("settings: marshal schema: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	if err != nil {
		return fmt.Errorf("settings: parse schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.UseLoader(refuseLoader{})
	if err := c.AddResource(settingsSchemaURL, doc); err != nil {
		return fmt.Errorf("settings: add schema: %w", err)
	}
	sub, err := c.Compile(settingsSchemaURL + "#/properties/" + string(scope))
	if err != nil {
		return fmt.Errorf("settings: compile %s schema: %w", scope, err)
	}
	// The validator wants json.Number for numbers, as the decoder gives.
	rawValues, err := json.Marshal(values)
	if err != nil {
		return Invalid("invalid_settings", "Settings values must be JSON.")
	}
	instance, err := jsonschema.UnmarshalJSON(strings.NewReader(string(rawValues)))
	if err != nil {
		return Invalid("invalid_settings", "Settings values must be JSON.")
	}
	err = sub.Validate(instance)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("settings: validate: %w", err)
	}
	fields := settingsFieldErrors(string(scope), ve)
	return Invalid("invalid_settings", "Some settings are not valid: see the errors next to each field.", fields...)
}

// settingsFieldErrors flattens a validation error tree into one field error
// per failing keyword (the leaves), in document order, without repeats.
func settingsFieldErrors(scope string, ve *jsonschema.ValidationError) []FieldError {
	var out []FieldError
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			for _, fe := range settingsFieldError(scope, e) {
				if !slices.Contains(out, fe) {
					out = append(out, fe)
				}
			}
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

// settingsFieldError words one failing keyword for a person filling a form.
func settingsFieldError(scope string, e *jsonschema.ValidationError) []FieldError {
	field := strings.Join(append([]string{scope}, e.InstanceLocation...), ".")
	one := func(msg string) []FieldError { return []FieldError{{Field: field, Message: msg}} }
	switch k := e.ErrorKind.(type) {
	case *kind.Type:
		return one("must be " + typeNames(k.Want))
	case *kind.Minimum:
		return one("must be at least " + ratString(k.Want))
	case *kind.Maximum:
		return one("must be at most " + ratString(k.Want))
	case *kind.ExclusiveMinimum:
		return one("must be greater than " + ratString(k.Want))
	case *kind.ExclusiveMaximum:
		return one("must be less than " + ratString(k.Want))
	case *kind.MultipleOf:
		return one("must be a multiple of " + ratString(k.Want))
	case *kind.MinLength:
		return one(fmt.Sprintf("must be at least %d characters long", k.Want))
	case *kind.MaxLength:
		return one(fmt.Sprintf("must be at most %d characters long", k.Want))
	case *kind.Pattern:
		return one("must match the pattern " + k.Want)
	case *kind.Enum:
		return one("must be one of " + joinValues(k.Want))
	case *kind.Const:
		return one("must be " + joinValues([]any{k.Want}))
	case *kind.Required:
		out := make([]FieldError, 0, len(k.Missing))
		for _, m := range k.Missing {
			out = append(out, FieldError{Field: field + "." + m, Message: "is required"})
		}
		return out
	case *kind.AdditionalProperties:
		out := make([]FieldError, 0, len(k.Properties))
		for _, p := range k.Properties {
			out = append(out, FieldError{Field: field + "." + p, Message: "is not a setting of this app"})
		}
		return out
	case *kind.FalseSchema:
		return one("is not a setting of this app")
	}
	return one(e.ErrorKind.LocalizedString(schemaPrinter))
}

var typeWords = map[string]string{
	"string": "text", "number": "a number", "integer": "a whole number", "boolean": "true or false",
	"object": "a group of settings", "array": "a list", "null": "empty",
}

func typeNames(want []string) string {
	words := make([]string, 0, len(want))
	for _, w := range want {
		if t, ok := typeWords[w]; ok {
			words = append(words, t)
		} else {
			words = append(words, w)
		}
	}
	return strings.Join(words, " or ")
}

// ratString prints a bound as a plain number: 10, 0.5.
func ratString(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return fmt.Sprint(f)
}

func joinValues(vs []any) string {
	parts := make([]string, 0, len(vs))
	for _, v := range vs {
		switch t := v.(type) {
		case string:
			parts = append(parts, t)
		default:
			b, _ := json.Marshal(t)
			parts = append(parts, string(b))
		}
	}
	return strings.Join(parts, ", ")
}
