package models

import (
	"fmt"

	"github.com/Masterminds/semver/v3"
)

// VersionBump is the kind of change between two production deployments.
type VersionBump string

// Version bumps (DESIGN §5).
const (
	BumpInitial VersionBump = "initial" // the app's first production deployment
	BumpPatch   VersionBump = "patch"   // metadata, environment or constraints only
	BumpMinor   VersionBump = "minor"   // a bundle changed or a setting was added
	BumpMajor   VersionBump = "major"   // a setting was removed or changed type
)

// FirstVersion is the version of an app's first production deployment.
const FirstVersion = "0.1.0"

// VersionBasis is the content of a deployment that versioning compares:
// its bundles' hashes ("" when it has none) and its settings schema.
type VersionBasis struct {
	ClientSHA256   string
	ServerSHA256   string
	SettingsSchema JSONMap
}

// BumpBetween returns the bump that going from prev to next calls for: a
// setting (a path under the organization or user scope, nested objects
// included) removed or given another type is major; a changed client or
// server bundle, or a setting added, is minor; anything else is patch.
func BumpBetween(prev, next VersionBasis) VersionBump {
	before, after := settingTypes(prev.SettingsSchema), settingTypes(next.SettingsSchema)
	added := false
	for path, typ := range before {
		now, ok := after[path]
		if !ok || now != typ {
			return BumpMajor
		}
	}
	for path := range after {
		if _, ok := before[path]; !ok {
			added = true
		}
	}
	if added || prev.ClientSHA256 != next.ClientSHA256 || prev.ServerSHA256 != next.ServerSHA256 {
		return BumpMinor
	}
	return BumpPatch
}

// NextVersion returns the version of a new production deployment with
// content next, and the bump it took. highest is the highest version ever
// assigned to the app ("" when none: the answer is FirstVersion) and prev
// the content of its latest published production deployment, else of its
// latest production deployment. The bump from comparing prev with next
// applies to highest, so numbers never repeat, even after rejections. It
// fails only when highest is not a semantic version.
func NextVersion(highest string, prev *VersionBasis, next VersionBasis) (string, VersionBump, error) {
	if highest == "" {
		return FirstVersion, BumpInitial, nil
	}
	v, err := semver.StrictNewVersion(highest)
	if err != nil {
		return "", "", fmt.Errorf("next version: highest version %q: %w", highest, err)
	}
	bump := BumpMinor // a version but nothing to compare with: treat the content as new
	if prev != nil {
		bump = BumpBetween(*prev, next)
	}
	var out semver.Version
	switch bump {
	case BumpMajor:
		out = v.IncMajor()
	case BumpMinor:
		out = v.IncMinor()
	default:
		out = v.IncPatch()
	}
	return out.String(), bump, nil
}

// HighestVersion returns the highest of versions by semantic-version
// order ("" for none); strings that are not versions are skipped.
func HighestVersion(versions []string) string {
	var best *semver.Version
	for _, s := range versions {
		v, err := semver.StrictNewVersion(s)
		if err == nil && (best == nil || v.GreaterThan(best)) {
			best = v
		}
	}
	if best == nil {
		return ""
	}
	return best.String()
}
