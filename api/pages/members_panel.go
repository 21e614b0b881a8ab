package pages

import (
	"github.com/google/uuid"

	"appstore/models"
)

// membersPanel is the data of the shared "members" partial: one row per
// member with what the viewer may do to them.
type membersPanel struct {
	Base, TestID  string // API path of the account or organization; the table's test id
	LeaveRedirect string // where leaving sends the viewer
	LeaveConfirm  string
	Rows          []memberRow
}

// memberRow is one member as the viewer may act on them.
type memberRow struct {
	UserID            uuid.UUID
	Email, Name, Role string
	Me                bool     // the viewer: they may leave
	RoleOptions       []string // roles the viewer may pick; none: the role is shown only
	CanRemove         bool
}

// MembersPanel feeds the members partial: account admins may set anyone's
// role and remove anyone else.
func (d teamPageData) MembersPanel() membersPanel {
	p := membersPanel{Base: "/api/v1/developer-accounts/" + d.Account.ID.String(), TestID: "members",
		LeaveRedirect: "/developer-accounts", LeaveConfirm: "Leave this developer account?"}
	for _, m := range d.Members {
		r := memberRow{UserID: m.UserID, Email: m.Email, Name: m.Name, Role: string(m.Role), Me: m.UserID == d.Me}
		if d.IsAdmin {
			r.RoleOptions = []string{string(models.DevRoleAdmin), string(models.DevRoleMember)}
			r.CanRemove = !r.Me
		}
		p.Rows = append(p.Rows, r)
	}
	return p
}

// MembersPanel feeds the members partial: owners manage everyone else;
// admins manage admins and members but neither touch owners nor make them.
func (d orgPageData) MembersPanel() membersPanel {
	p := membersPanel{Base: "/api/v1/organizations/" + d.Organization.ID.String(), TestID: "org-members",
		LeaveRedirect: "/organizations", LeaveConfirm: "Leave this organization?"}
	for _, m := range d.Members {
		r := memberRow{UserID: m.UserID, Email: m.Email, Name: m.Name, Role: string(m.Role), Me: m.UserID == d.Me}
		manageable := d.IsAdmin && !r.Me && (d.IsOwner || m.Role != models.OrgRoleOwner)
		if manageable {
			if d.IsOwner {
				r.RoleOptions = append(r.RoleOptions, string(models.OrgRoleOwner))
			}
			r.RoleOptions = append(r.RoleOptions, string(models.OrgRoleAdmin), string(models.OrgRoleMember))
			r.CanRemove = true
		}
		p.Rows = append(p.Rows, r)
	}
	return p
}

// membersAndInvitations loads what the team and organization pages show
// besides the scope itself: its members and its pending invitations.
func membersAndInvitations[M any](members func() ([]M, error), invitations func() ([]models.Invitation, error)) ([]M, []models.Invitation, error) {
	list, err := members()
	if err != nil {
		return nil, nil, err
	}
	invs, err := invitations()
	return list, invs, err
}
