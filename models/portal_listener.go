package models

// PortalChannel is the PostgreSQL notification channel that announces a
// change to one user's portal state; the payload is the user's id.
const PortalChannel = "portal_state"
