package workspacedb

import (
	"github.com/portal-id/migration-console/engine/okta"
	"github.com/portal-id/migration-console/engine/redact"
	"github.com/portal-id/migration-console/engine/workspace"
)

func oktaCatalogue(workspace.SourceKind) []redact.Field { return okta.SecretFields }
