package models

// InstallationAccess is what one organization member may do with one
// installation: the organization role, and the app permission row (none:
// no access).
type InstallationAccess struct {
	Installation *Installation
	App          *App
	OrgRole      OrganizationRole
	CanAccess    bool
	IsAppAdmin   bool
}
