package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"appstore/models"
)

// checkManifest applies the platform's manifest rules, the ones POST
// deployments applies, so what builds deploys. They live in one place
// (models.Manifest.Validate); the CLI only words them for a developer.
func checkManifest(m models.Manifest) error {
	err := m.Normalize().Validate()
	if err == nil {
		return nil
	}
	e, ok := models.AsError(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	lines := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		lines[i] = "  " + f.Field + ": " + f.Message + manifestPart(m, f.Field)
	}
	return fmt.Errorf("the App definition breaks the platform's manifest rules (fields as dist/app.manifest.json names them):\n%s",
		strings.Join(lines, "\n"))
}

var manifestIndex = regexp.MustCompile(`^manifest\.(surfaces|workflow\.blocks|workflow\.triggers|webhooks)\[(\d+)\]`)

// manifestPart names the definition a field path points into, as
// ` (surface "hello")`: the manifest lists every surface kind in one
// array, so surfaces[3] alone does not say which definition in the App
// it is.
func manifestPart(m models.Manifest, field string) string {
	match := manifestIndex.FindStringSubmatch(field)
	if match == nil {
		return ""
	}
	i, _ := strconv.Atoi(match[2])
	var what, id string
	switch list := match[1]; {
	case list == "surfaces" && i < len(m.Surfaces):
		what, id = "surface", m.Surfaces[i].ID
	case list == "workflow.blocks" && i < len(m.Workflow.Blocks):
		what, id = "block", m.Workflow.Blocks[i].ID
	case list == "workflow.triggers" && i < len(m.Workflow.Triggers):
		what, id = "trigger", m.Workflow.Triggers[i].ID
	case list == "webhooks" && i < len(m.Webhooks):
		what, id = "webhook", m.Webhooks[i].ID
	}
	if id == "" {
		return ""
	}
	return fmt.Sprintf(" (%s %q)", what, id)
}
