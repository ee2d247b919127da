package leadsquared

import (
	"context"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// RemovePermissionTemplate detaches the permission template templateID from every user,
// sales group and role it is applied to, and keeps the template itself. It is
// ApplyPermissionTemplate (POST /PermissionTemplate.svc/Apply) with overWriteAll=true and
// a body holding only the template Id. A LeadSquared error comes back as the error
// ([*APIError], [*RateLimitError]); like every write, it is not retried after a 5xx.
//
// opts are the call's options ([Option]).
//
// LeadSquared API docs: https://apidocs.leadsquared.com/remove-permission-template/
func (c *Client) RemovePermissionTemplate(ctx context.Context, templateID string, opts ...Option) (api.PermissionTemplateResult, error) {
	if templateID == "" {
		return api.PermissionTemplateResult{}, &invalidRequestError{op: api.OpApplyPermissionTemplate, msg: "RemovePermissionTemplate: empty template Id"}
	}
	overWriteAll := api.StringBool(true)
	return c.ApplyPermissionTemplate(ctx,
		api.ApplyPermissionTemplateParams{OverWriteAll: &overWriteAll},
		api.PermissionTemplateApplyRequest{ID: templateID}, opts...)
}
