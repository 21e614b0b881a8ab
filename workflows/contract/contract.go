// Package contract is what both sides of Temporal share: the workflows and
// activities on the worker's side; the API, workflows/client and the
// activities that talk to other runs on the caller's side. It holds the
// workflow and Schedule ids, the names of workflows, Updates and Queries,
// the search attribute keys, the messages that cross (workflow inputs,
// Update arguments, the states Updates and Queries answer with), and the
// one codec between *models.Error and Temporal application errors.
//
// It is a leaf: it imports models, the standard library and the SDK's
// temporal package, never workflows, activities or the SDK's client, so
// the API can speak to workflows without importing them.
//
// Workflow type, Update, Query and activity names are in recorded
// histories (workflows/testdata): renaming one breaks replay.
package contract
