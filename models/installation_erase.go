package models

// EventInstallationDataErased records that an organization erased what an
// uninstalled app left behind.
const EventInstallationDataErased EventType = "installation.data_erased"

func init() { EventTypes = append(EventTypes, EventInstallationDataErased) }

// ErasedInstallationData counts what EraseInstallationData removed.
type ErasedInstallationData struct {
	Settings         int64 `json:"settings"`
	ConnectionValues int64 `json:"connection_values"`
	Permissions      int64 `json:"permissions"`
}
