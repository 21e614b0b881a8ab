package models

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits on what a deployment carries.
const (
	MaxEnvironmentVars     = 100
	MaxEnvironmentValueLen = 32 << 10 // bytes
	MaxReleaseNotesLen     = 10_000   // characters
	maxMetadataLen         = 64       // characters of cli_version and commit_sha
	maxMetadataMessageLen  = 2_000    // characters
)

var envKeyPattern = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)

// ValidateEnvironment checks a deployment's environment variables: at most
// MaxEnvironmentVars, keys matching ^[A-Z_][A-Z0-9_]*$ (at most 128
// characters), string values of at most MaxEnvironmentValueLen bytes. It
// returns an invalid error ("invalid_environment") naming every bad entry.
func ValidateEnvironment(env JSONMap) error {
	var bad []FieldError
	if len(env) > MaxEnvironmentVars {
		bad = append(bad, FieldError{Field: "environment", Message: fmt.Sprintf("at most %d variables", MaxEnvironmentVars)})
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		field := "environment." + k
		if !envKeyPattern.MatchString(k) || len(k) > 128 {
			bad = append(bad, FieldError{Field: field, Message: "names are upper-case letters, digits and _ (not starting with a digit), at most 128"})
			continue
		}
		switch v := env[k].(type) {
		case string:
			if len(v) > MaxEnvironmentValueLen {
				bad = append(bad, FieldError{Field: field, Message: fmt.Sprintf("at most %d bytes", MaxEnvironmentValueLen)})
			}
		default:
			bad = append(bad, FieldError{Field: field, Message: "must be a string"})
		}
	}
	if len(bad) > 0 {
		return Invalid("invalid_environment", "Environment variables are NAME: \"string\" pairs with upper-case names.", bad...)
	}
	return nil
}

// DeploymentMetadata is what the CLI tells about a build.
type DeploymentMetadata struct {
	CLIVersion string `json:"cli_version,omitempty"`
	CommitSHA  string `json:"commit_sha,omitempty"`
	Message    string `json:"message,omitempty"`
}

// JSONMap validates m and returns it as the metadata column; an invalid
// error ("invalid_metadata") names each field too long or not printable.
func (m DeploymentMetadata) JSONMap() (JSONMap, error) {
	var bad []FieldError
	check := func(field, v string, limit int, multiline bool) {
		switch {
		case !utf8.ValidString(v) || utf8.RuneCountInString(v) > limit:
			bad = append(bad, FieldError{Field: "metadata." + field, Message: fmt.Sprintf("at most %d characters", limit)})
		case !multiline && strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f }):
			bad = append(bad, FieldError{Field: "metadata." + field, Message: "must be one line of text"})
		}
	}
	check("cli_version", m.CLIVersion, maxMetadataLen, false)
	check("commit_sha", m.CommitSHA, maxMetadataLen, false)
	check("message", m.Message, maxMetadataMessageLen, true)
	if len(bad) > 0 {
		return nil, Invalid("invalid_metadata", "Some deployment metadata is too long or not text.", bad...)
	}
	out := JSONMap{}
	for k, v := range map[string]string{"cli_version": m.CLIVersion, "commit_sha": m.CommitSHA, "message": m.Message} {
		if v != "" {
			out[k] = v
		}
	}
	return out, nil
}
