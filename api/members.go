package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// listMembers lists the scope's members and roles (members may look).
func (s *Server) listMembers(sc memberScope) func(*gin.Context) error {
	return func(c *gin.Context) error {
		id, _, err := sc.access(s, c, false)
		if err != nil {
			return err
		}
		members, _, err := sc.members(s, c.Request.Context(), id)
		if err != nil {
			return err
		}
		c.JSON(http.StatusOK, gin.H{"members": members})
		return nil
	}
}

type changeRoleRequest struct {
	Role string `json:"role"`
}

// memberTarget is the scope id, the caller's role and target :user of a
// request that manages a member; the caller must manage the scope's members.
func (s *Server) memberTarget(c *gin.Context, sc memberScope) (id uuid.UUID, myRole string, target uuid.UUID, err error) {
	if id, myRole, err = sc.access(s, c, true); err != nil {
		return uuid.Nil, "", uuid.Nil, err
	}
	if target, err = pathID(c, "user"); err != nil {
		return uuid.Nil, "", uuid.Nil, err
	}
	return id, myRole, target, nil
}

// changeMemberRole sets a member's role (those who manage members, within
// the scope's rules); the last admin of an account or owner of an
// organization stays.
func (s *Server) changeMemberRole(sc memberScope) func(*gin.Context) error {
	return func(c *gin.Context) error {
		id, myRole, target, err := s.memberTarget(c, sc)
		if err != nil {
			return err
		}
		var req changeRoleRequest
		if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
			return err
		}
		if err := sc.validRole(req.Role); err != nil {
			return err
		}
		if err := sc.checkManage(s, c, id, myRole, target, req.Role); err != nil {
			return err
		}
		if err := sc.changeRole(s, c.Request.Context(), id, target, req.Role); err != nil {
			return err
		}
		s.invalidateMembers(c, sc, id)
		c.Status(http.StatusNoContent)
		return nil
	}
}

// removeMember removes a member under the same rules.
func (s *Server) removeMember(sc memberScope) func(*gin.Context) error {
	return func(c *gin.Context) error {
		id, myRole, target, err := s.memberTarget(c, sc)
		if err != nil {
			return err
		}
		if err := sc.checkManage(s, c, id, myRole, target, ""); err != nil {
			return err
		}
		if err := sc.removeMember(s, c.Request.Context(), id, target); err != nil {
			return err
		}
		s.invalidateMembers(c, sc, id, target)
		c.Status(http.StatusNoContent)
		return nil
	}
}

// leave removes the caller from the scope; its last admin or owner cannot
// leave.
func (s *Server) leave(sc memberScope) func(*gin.Context) error {
	return func(c *gin.Context) error {
		id, _, err := sc.access(s, c, false)
		if err != nil {
			return err
		}
		me := principal(c).UserID
		if err := sc.removeMember(s, c.Request.Context(), id, me); err != nil {
			return err
		}
		s.invalidateMembers(c, sc, id, me)
		c.Status(http.StatusNoContent)
		return nil
	}
}
