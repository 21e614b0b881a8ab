package models

// CheckConnectionInput runs the create rules on in, for the external tests,
// and returns the normalised definition and the broken rules.
func CheckConnectionInput(in ConnectionDefinitionInput) (ConnectionDefinition, []FieldError) {
	sp := NewConnectionSpec(in)
	errs := sp.Validate()
	return sp.Definition, errs
}
