package postgres_test

import (
	"slices"

	"appstore/models"
)

// Copies of helpers of the domain tests in package models, which the store
// tests use as well.

func connBool(v bool) *bool { return &v }

// fieldsOf returns the sorted field names of errs.
func errorFields(errs []models.FieldError) []string {
	out := []string{}
	for _, e := range errs {
		out = append(out, e.Field)
	}
	slices.Sort(out)
	return out
}

// schemaWith returns a settings schema whose organization scope has props.
func schemaWith(org map[string]any, user map[string]any) models.JSONMap {
	s := models.DefaultSettingsSchema()
	p := s["properties"].(map[string]any)
	if org != nil {
		p["organization"].(map[string]any)["properties"] = org
	}
	if user != nil {
		p["user"].(map[string]any)["properties"] = user
	}
	return s
}
