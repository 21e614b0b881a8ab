package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"appstore/models"
)

var (
	manifestID  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	recordTypes = []string{"contact", "ticket", "call_recording"}
	textFields  = []string{"transcript", "summary", "insight"}
)

// check refuses, with messages that name the App definition's parts,
// what the platform would: unknown kinds, record types and fields,
// duplicate ids, empty titles, functions that do not exist, schemas that
// do not compile. platformCheck then applies the platform's own rules.
func (m *appManifest) check() error {
	idTitle := func(what, id, title string) error {
		if !manifestID.MatchString(id) {
			return fmt.Errorf("%s id %q: use 1-64 lowercase letters, digits, - or _", what, id)
		}
		if strings.TrimSpace(title) == "" || len(title) > 200 {
			return fmt.Errorf("%s %q: the title must be 1-200 characters", what, id)
		}
		return nil
	}
	seen := map[string]bool{}
	for _, s := range m.Surfaces {
		if err := idTitle("surface", s.ID, s.Title); err != nil {
			return err
		}
		if seen[s.ID] {
			return fmt.Errorf("two surfaces have the id %q", s.ID)
		}
		seen[s.ID] = true
		var allowed []string
		switch s.Kind {
		case "record-widget", "record-action", "bulk-action", "quick-action":
			allowed = recordTypes
		case "text-action":
			allowed = textFields
		default:
			return fmt.Errorf("surface %q: unknown kind %q", s.ID, s.Kind)
		}
		list := s.RecordTypes
		if s.Kind == "text-action" {
			list = s.Fields
		}
		if len(list) == 0 && s.Kind != "quick-action" {
			return fmt.Errorf("surface %q: name at least one of %s", s.ID, strings.Join(allowed, ", "))
		}
		for _, v := range list {
			if !slices.Contains(allowed, v) {
				return fmt.Errorf("surface %q: unknown record type or field %q (use %s)", s.ID, v, strings.Join(allowed, ", "))
			}
		}
	}
	function := func(what, id, fn string) error {
		if !slices.Contains(m.ServerFunctions, fn) {
			return fmt.Errorf("%s %q: %q is not one of the server functions (%s)", what, id, fn, strings.Join(m.ServerFunctions, ", "))
		}
		return nil
	}
	schema := func(what, id, part string, raw json.RawMessage) error {
		if len(bytes.TrimSpace(raw)) == 0 || raw[0] != '{' {
			return fmt.Errorf("%s %q: %s must be a JSON Schema object", what, id, part)
		}
		_, err := compileSchema(fmt.Sprintf("%s %q: %s", what, id, part), raw)
		return err
	}
	unique := func(what string, ids map[string]bool, id string) error {
		if ids[id] {
			return fmt.Errorf("two %ss have the id %q", what, id)
		}
		ids[id] = true
		return nil
	}
	triggers, blocks, hooks := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, t := range m.Workflow.Triggers {
		if err := idTitle("trigger", t.ID, t.Title); err != nil {
			return err
		}
		if err := unique("trigger", triggers, t.ID); err != nil {
			return err
		}
		if err := schema("trigger", t.ID, "output", t.Output); err != nil {
			return err
		}
	}
	for _, b := range m.Workflow.Blocks {
		if err := idTitle("block", b.ID, b.Title); err != nil {
			return err
		}
		if err := unique("block", blocks, b.ID); err != nil {
			return err
		}
		if err := function("block", b.ID, b.Function); err != nil {
			return err
		}
		if err := schema("block", b.ID, "input", b.Input); err != nil {
			return err
		}
		if err := schema("block", b.ID, "output", b.Output); err != nil {
			return err
		}
		if r := b.Retry; r != nil && (r.MaxAttempts < 1 || r.MaxAttempts > 20 || r.InitialIntervalMS < 0 || r.InitialIntervalMS > 3_600_000 || r.BackoffCoefficient < 0 || r.BackoffCoefficient > 10) {
			return fmt.Errorf("block %q: retry needs maxAttempts 1-20, initialIntervalMs up to an hour, backoffCoefficient up to 10", b.ID)
		}
	}
	for _, h := range m.Webhooks {
		if err := idTitle("webhook", h.ID, h.Title); err != nil {
			return err
		}
		if err := unique("webhook", hooks, h.ID); err != nil {
			return err
		}
		if err := function("webhook", h.ID, h.Function); err != nil {
			return err
		}
		if h.Trigger != "" && !triggers[h.Trigger] {
			return fmt.Errorf("webhook %q: trigger %q is not one of the workflow triggers", h.ID, h.Trigger)
		}
	}
	return nil
}

// platformCheck runs the platform's own manifest rules (models.Manifest),
// the ones POST deployments applies, so what passes here deploys.
func (m *appManifest) platformCheck() error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	var pm models.Manifest
	if err := json.Unmarshal(raw, &pm); err != nil {
		return fmt.Errorf("the manifest does not fit the platform's shape: %w", err)
	}
	err = pm.Normalize().Validate()
	if err == nil {
		return nil
	}
	e, ok := models.AsError(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	lines := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		lines[i] = "  " + f.Field + ": " + f.Message
	}
	return fmt.Errorf("the platform would refuse this manifest:\n%s", strings.Join(lines, "\n"))
}
