package models

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Manifest is what `appstore-cli build` extracts from an app's definition
// (DESIGN §7): the surfaces it shows, its server functions, workflow blocks
// and triggers with their schemas, inbound webhook handlers and the hosts
// its server code may call. It is part of the immutable deployment; the
// host, the sandbox and automations accept nothing outside it.
type Manifest struct {
	Surfaces        []Surface        `json:"surfaces"`
	ServerFunctions []string         `json:"server_functions"`
	Workflow        WorkflowManifest `json:"workflow"`
	Webhooks        []WebhookHandler `json:"webhooks"`
	OutboundHosts   []string         `json:"outbound_hosts"`
}

// SurfaceKind is where in the platform a surface appears.
type SurfaceKind string

// Surface kinds (web/sdk/PROTOCOL.md).
const (
	SurfaceRecordWidget SurfaceKind = "record-widget"
	SurfaceRecordAction SurfaceKind = "record-action"
	SurfaceBulkAction   SurfaceKind = "bulk-action"
	SurfaceQuickAction  SurfaceKind = "quick-action"
	SurfaceTextAction   SurfaceKind = "text-action"
)

// SurfaceKinds lists every kind, in the order pages show them.
var SurfaceKinds = []SurfaceKind{SurfaceRecordWidget, SurfaceRecordAction, SurfaceBulkAction, SurfaceQuickAction, SurfaceTextAction}

// Record types a surface can be shown on.
var SurfaceRecordTypes = []string{"contact", "ticket", "call_recording"}

// Call recording fields a text action can act on.
var SurfaceTextFields = []string{"transcript", "summary", "insight"}

// Surface is one place the app shows UI or offers an action.
type Surface struct {
	Kind        SurfaceKind `json:"kind"`
	ID          string      `json:"id"`
	Title       string      `json:"title"`
	RecordTypes []string    `json:"record_types,omitempty"`
	Fields      []string    `json:"fields,omitempty"`
}

// WorkflowManifest holds the app's automation building blocks.
type WorkflowManifest struct {
	Blocks   []WorkflowBlock   `json:"blocks"`
	Triggers []WorkflowTrigger `json:"triggers"`
}

// WorkflowBlock is a step automations can run: the server function that
// runs it, with its input and output JSON Schemas and retry policy.
type WorkflowBlock struct {
	ID          string       `json:"id"`
	Title       string       `json:"title"`
	Description string       `json:"description,omitempty"`
	Function    string       `json:"function,omitempty"` // "<path>#<export>", one of ServerFunctions
	Input       JSONMap      `json:"input"`
	Output      JSONMap      `json:"output"`
	Retry       *RetryPolicy `json:"retry,omitempty"`
}

// RetryPolicy is how often and how far apart a block's attempts may be.
type RetryPolicy struct {
	MaxAttempts        int     `json:"max_attempts"`
	InitialIntervalMS  int     `json:"initial_interval_ms,omitempty"`
	BackoffCoefficient float64 `json:"backoff_coefficient,omitempty"`
}

// WorkflowTrigger is an event the app can start automations with; Output
// is the JSON Schema of the data it carries.
type WorkflowTrigger struct {
	ID          string  `json:"id"`
	Title       string  `json:"title"`
	Description string  `json:"description,omitempty"`
	Output      JSONMap `json:"output"`
}

// WebhookHandler is an inbound webhook the app declares: a public URL per
// installation whose deliveries run Function and may emit Trigger.
type WebhookHandler struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Function string `json:"function,omitempty"`
	Trigger  string `json:"trigger,omitempty"`
}

// Manifest limits: generous for real apps, small enough that a manifest
// is cheap to ship to every page that hosts the app.
const (
	maxSurfaces        = 100
	maxServerFunctions = 200
	maxBlocks          = 100
	maxOutboundHosts   = 50
	maxManifestBytes   = 256 << 10
	maxManifestTitle   = 200
	maxManifestText    = 2000
)

var manifestID = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
var serverFunctionRef = regexp.MustCompile(`^[A-Za-z0-9_./-]{1,200}\.server\.ts#[A-Za-z_$][A-Za-z0-9_$]{0,99}$`)
var hostName = regexp.MustCompile(`^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// Normalize returns m with nil lists made empty, so stored manifests have
// one shape.
func (m Manifest) Normalize() Manifest {
	orEmpty := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	if m.Surfaces == nil {
		m.Surfaces = []Surface{}
	}
	m.ServerFunctions = orEmpty(m.ServerFunctions)
	m.OutboundHosts = orEmpty(m.OutboundHosts)
	if m.Webhooks == nil {
		m.Webhooks = []WebhookHandler{}
	}
	if m.Workflow.Blocks == nil {
		m.Workflow.Blocks = []WorkflowBlock{}
	}
	if m.Workflow.Triggers == nil {
		m.Workflow.Triggers = []WorkflowTrigger{}
	}
	return m
}

// Validate reports every problem of the manifest as one invalid error
// ("invalid_manifest") with a field path per problem.
func (m Manifest) Validate() error {
	var p []FieldError
	add := func(field, format string, args ...any) {
		p = append(p, FieldError{Field: "manifest." + field, Message: fmt.Sprintf(format, args...)})
	}
	if raw, err := json.Marshal(m); err != nil || len(raw) > maxManifestBytes {
		add("", "must be JSON of at most %d KiB", maxManifestBytes>>10)
	}
	if len(m.Surfaces) > maxSurfaces {
		add("surfaces", "at most %d surfaces", maxSurfaces)
	}
	seen := map[string]bool{}
	for i, s := range m.Surfaces {
		f := fmt.Sprintf("surfaces[%d]", i)
		if !slices.Contains(SurfaceKinds, s.Kind) {
			add(f+".kind", "must be one of %s", joinKinds())
		}
		checkIDTitle(add, f, s.ID, s.Title)
		if seen[s.ID] {
			add(f+".id", "%q is used by another surface", s.ID)
		}
		seen[s.ID] = true
		switch s.Kind {
		case SurfaceRecordWidget, SurfaceRecordAction, SurfaceBulkAction:
			checkSubset(add, f+".record_types", s.RecordTypes, SurfaceRecordTypes, true)
		case SurfaceQuickAction:
			checkSubset(add, f+".record_types", s.RecordTypes, SurfaceRecordTypes, false)
		case SurfaceTextAction:
			checkSubset(add, f+".fields", s.Fields, SurfaceTextFields, true)
		}
		if s.Kind != SurfaceTextAction && len(s.Fields) > 0 {
			add(f+".fields", "only text actions have fields")
		}
	}
	if len(m.ServerFunctions) > maxServerFunctions {
		add("server_functions", "at most %d server functions", maxServerFunctions)
	}
	for i, fn := range m.ServerFunctions {
		if !serverFunctionRef.MatchString(fn) {
			add(fmt.Sprintf("server_functions[%d]", i), `must be "<path>.server.ts#<export>"`)
		}
	}
	checkFunction := func(field, fn string) {
		if fn != "" && !slices.Contains(m.ServerFunctions, fn) {
			add(field, "%q is not one of the server functions", fn)
		}
	}
	if len(m.Workflow.Blocks) > maxBlocks || len(m.Workflow.Triggers) > maxBlocks {
		add("workflow", "at most %d blocks and %d triggers", maxBlocks, maxBlocks)
	}
	seen = map[string]bool{}
	for i, b := range m.Workflow.Blocks {
		f := fmt.Sprintf("workflow.blocks[%d]", i)
		checkIDTitle(add, f, b.ID, b.Title)
		if seen[b.ID] {
			add(f+".id", "%q is used by another block", b.ID)
		}
		seen[b.ID] = true
		if len(b.Description) > maxManifestText {
			add(f+".description", "at most %d characters", maxManifestText)
		}
		checkFunction(f+".function", b.Function)
		checkSchema(add, f+".input", b.Input)
		checkSchema(add, f+".output", b.Output)
		if r := b.Retry; r != nil && (r.MaxAttempts < 1 || r.MaxAttempts > 20 || r.InitialIntervalMS < 0 ||
			r.InitialIntervalMS > 3_600_000 || r.BackoffCoefficient < 0 || r.BackoffCoefficient > 10) {
			add(f+".retry", "max_attempts 1–20, initial_interval_ms up to an hour, backoff_coefficient up to 10")
		}
	}
	triggers := map[string]bool{}
	for i, t := range m.Workflow.Triggers {
		f := fmt.Sprintf("workflow.triggers[%d]", i)
		checkIDTitle(add, f, t.ID, t.Title)
		if triggers[t.ID] {
			add(f+".id", "%q is used by another trigger", t.ID)
		}
		triggers[t.ID] = true
		checkSchema(add, f+".output", t.Output)
	}
	seen = map[string]bool{}
	for i, h := range m.Webhooks {
		f := fmt.Sprintf("webhooks[%d]", i)
		checkIDTitle(add, f, h.ID, h.Title)
		if seen[h.ID] {
			add(f+".id", "%q is used by another webhook", h.ID)
		}
		seen[h.ID] = true
		checkFunction(f+".function", h.Function)
		if h.Trigger != "" && !triggers[h.Trigger] {
			add(f+".trigger", "%q is not one of the triggers", h.Trigger)
		}
	}
	if len(m.OutboundHosts) > maxOutboundHosts {
		add("outbound_hosts", "at most %d hosts", maxOutboundHosts)
	}
	for i, h := range m.OutboundHosts {
		if !hostName.MatchString(h) {
			add(fmt.Sprintf("outbound_hosts[%d]", i), "must be a lowercase DNS name such as api.example.com (or *.example.com)")
		}
	}
	if len(p) == 0 {
		return nil
	}
	if len(p) > maxSchemaProblems {
		p = p[:maxSchemaProblems]
	}
	return Invalid("invalid_manifest", "The app manifest is not valid; rebuild with appstore-cli build.", p...)
}

// Surface returns the surface of kind and id, if the manifest has it.
func (m Manifest) Surface(kind SurfaceKind, id string) (Surface, bool) {
	for _, s := range m.Surfaces {
		if s.Kind == kind && s.ID == id {
			return s, true
		}
	}
	return Surface{}, false
}

func checkIDTitle(add func(string, string, ...any), field, id, title string) {
	if !manifestID.MatchString(id) {
		add(field+".id", "must be 1–64 lowercase letters, digits, - or _")
	}
	if t := strings.TrimSpace(title); t == "" || len(title) > maxManifestTitle || TextProblem(title) != "" {
		add(field+".title", "must be 1–%d characters of text", maxManifestTitle)
	}
}

func checkSubset(add func(string, string, ...any), field string, got, allowed []string, required bool) {
	if required && len(got) == 0 {
		add(field, "name at least one of %s", strings.Join(allowed, ", "))
	}
	for _, v := range got {
		if !slices.Contains(allowed, v) {
			add(field, "%q is not one of %s", v, strings.Join(allowed, ", "))
		}
	}
}

// checkSchema compiles doc as a self-contained JSON Schema (draft 2020-12).
func checkSchema(add func(string, string, ...any), field string, doc JSONMap) {
	if doc == nil {
		add(field, "is required: a JSON Schema")
		return
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		add(field, "is not JSON")
		return
	}
	parsed, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	if err != nil {
		add(field, "is not JSON")
		return
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.UseLoader(refuseLoader{})
	const url = "urn:appstore:manifest-schema"
	if err = c.AddResource(url, parsed); err == nil {
		_, err = c.Compile(url)
	}
	if err != nil {
		add(field, "is not a valid JSON Schema: %s", firstLine(err.Error()))
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

func joinKinds() string {
	names := make([]string, len(SurfaceKinds))
	for i, k := range SurfaceKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// MarshalJSON writes empty lists rather than null, so every reader of a
// stored or served manifest sees one shape.
func (m Manifest) MarshalJSON() ([]byte, error) {
	type plain Manifest
	return json.Marshal(plain(m.Normalize()))
}
