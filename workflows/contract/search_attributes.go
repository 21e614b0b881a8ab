package contract

import "go.temporal.io/sdk/temporal"

// Typed search attributes (all Keyword) by which ops filter runs in the
// Temporal UI. This is the full list of DESIGN §6; SQL visibility allows at
// most ten custom Keywords, so add with care.
var (
	AttrAppSlug          = temporal.NewSearchAttributeKeyKeyword("AppSlug")
	AttrDeveloperAccount = temporal.NewSearchAttributeKeyKeyword("DeveloperAccount")
	AttrDeploymentID     = temporal.NewSearchAttributeKeyKeyword("DeploymentID")
	AttrOrganizationID   = temporal.NewSearchAttributeKeyKeyword("OrganizationID")
	AttrInstallationID   = temporal.NewSearchAttributeKeyKeyword("InstallationID")
	AttrReviewStatus     = temporal.NewSearchAttributeKeyKeyword("ReviewStatus")
	AttrVersion          = temporal.NewSearchAttributeKeyKeyword("Version")
	AttrInvitationStatus = temporal.NewSearchAttributeKeyKeyword("InvitationStatus")
)

// SearchAttributeNames lists every custom search attribute, for registration
// by `appstore dev`, docker-compose and the integration tests.
var SearchAttributeNames = []string{
	AttrAppSlug.GetName(), AttrDeveloperAccount.GetName(), AttrDeploymentID.GetName(),
	AttrOrganizationID.GetName(), AttrInstallationID.GetName(), AttrReviewStatus.GetName(),
	AttrVersion.GetName(), AttrInvitationStatus.GetName(),
}
