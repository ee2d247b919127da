package lsqtest

import (
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/scalar"
)

// templateFrom converts a Create/Update body into stored permissions.
func templateFrom(in []api.EntityPermissionInput) []EntityPermissions {
	out := make([]EntityPermissions, 0, len(in))
	for _, ep := range in {
		e := EntityPermissions{Entity: string(ep.Entity)}
		for _, p := range ep.Permissions {
			a := ActionPermission{Action: string(p.Action), Access: string(p.Access)}
			if p.Properties.RestrictedFields != nil {
				a.RestrictedFields = slices.Clone(p.Properties.RestrictedFields)
			}
			e.Actions = append(e.Actions, a)
		}
		out = append(out, e)
	}
	return out
}

func (st *state) templateByName(name string) *Template {
	for _, id := range st.tplOrder {
		if t := st.templates[id]; strings.EqualFold(strings.TrimSpace(t.Name), strings.TrimSpace(name)) {
			return t
		}
	}
	return nil
}

func (st *state) template(id string) *Template {
	return st.templates[strings.ToLower(strings.TrimSpace(id))]
}

// createPermissionTemplate creates a template. More than the account's maximum (50 by default) or a
// name already used (ignoring case) answers 500.
func (s *Server) createPermissionTemplate(c *call) (int, any) {
	var req api.PermissionTemplateInput
	if err := c.decode(&req); err != nil {
		return http.StatusBadRequest, errBody(api.ExceptionInvalidInput, err.Error())
	}
	if strings.TrimSpace(req.Name) == "" {
		return fail(api.ExceptionMandatoryAttributeMissing, "Name is mandatory")
	}
	if len(s.st.templates) >= s.cfg.maxTemplates {
		return fail(api.ExceptionInvalidInput, "You can create a maximum of %d permission templates.", s.cfg.maxTemplates)
	}
	if s.st.templateByName(req.Name) != nil {
		return fail(api.ExceptionDuplicateEntry, "A permission template with the same name already exists.")
	}
	now := s.now()
	t := &Template{
		ID: newGUID(), Name: req.Name, Description: req.Description,
		CreatedBy: s.st.ownerID, ModifiedBy: s.st.ownerID, CreatedOn: now, ModifiedOn: now,
	}
	if req.EntityPermissions != nil {
		t.Permissions = templateFrom(req.EntityPermissions)
	}
	s.st.templates[t.ID] = t
	s.st.tplOrder = append(s.st.tplOrder, t.ID)
	return http.StatusOK, api.PermissionTemplateCreateResult{Status: "Success", Message: api.PermissionTemplateCreateMessage{ID: t.ID}}
}

var templateOK = api.PermissionTemplateResult{Status: "Success", Message: api.PermissionTemplateResultMessage{IsSuccessful: true}}

// updatePermissionTemplate replaces the template's name, description and permissions (the body is the
// whole template). An unknown Id, or a name of another template, answers 500.
func (s *Server) updatePermissionTemplate(c *call, p api.UpdatePermissionTemplateParams) (int, any) {
	t := s.st.template(p.ID)
	if t == nil {
		return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: Id (no such permission template)")
	}
	var req api.PermissionTemplateInput
	if err := c.decode(&req); err != nil {
		return http.StatusBadRequest, errBody(api.ExceptionInvalidInput, err.Error())
	}
	if strings.TrimSpace(req.Name) == "" {
		return fail(api.ExceptionMandatoryAttributeMissing, "Name is mandatory")
	}
	if o := s.st.templateByName(req.Name); o != nil && o != t {
		return fail(api.ExceptionDuplicateEntry, "A permission template with the same name already exists.")
	}
	t.Name, t.Description, t.Permissions = req.Name, req.Description, nil
	if req.EntityPermissions != nil {
		t.Permissions = templateFrom(req.EntityPermissions)
	}
	t.ModifiedBy, t.ModifiedOn = s.st.ownerID, s.now()
	return http.StatusOK, templateOK
}

// deletePermissionTemplate deletes a template (and so its assignments). An unknown Id answers 500.
func (s *Server) deletePermissionTemplate(_ *call, p api.DeletePermissionTemplateParams) (int, any) {
	t := s.st.template(p.ID)
	if t == nil {
		return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: Id (no such permission template)")
	}
	delete(s.st.templates, t.ID)
	s.st.tplOrder = slices.DeleteFunc(s.st.tplOrder, func(id string) bool { return id == t.ID })
	return http.StatusOK, templateOK
}

// Answer shapes of Get Permission Templates, with Properties null when unrestricted.
type (
	tplOut struct {
		ID                 string   `json:"Id"`
		Name               string   `json:"Name"`
		Description        string   `json:"Description"`
		EntityPermissions  []epOut  `json:"EntityPermissions"`
		CreatedBy          string   `json:"CreatedBy"`
		CreatedOn          string   `json:"CreatedOn"`
		ModifiedBy         string   `json:"ModifiedBy"`
		ModifiedOn         string   `json:"ModifiedOn"`
		CreatedByName      string   `json:"CreatedByName"`
		ModifiedByName     string   `json:"ModifiedByName"`
		AssociatedUserIDs  []string `json:"AssociatedUserIds"`
		AssociatedGroupIDs []string `json:"AssociatedGroupIds"`
		AssociatedRoleIDs  []string `json:"AssociatedRoleIds"`
	}
	epOut struct {
		Entity      string    `json:"Entity"`
		Permissions []permOut `json:"Permissions"`
	}
	permOut struct {
		Action     string    `json:"Action"`
		Access     string    `json:"Access"`
		Properties *propsOut `json:"Properties"`
	}
	propsOut struct {
		RestrictedFields []string         `json:"RestrictedFields,omitempty"`
		Restrictions     []map[string]any `json:"Restrictions,omitempty"`
	}
)

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Server) templateOut(t *Template) tplOut {
	nameOf := func(id string) string {
		if u := s.st.users[id]; u != nil {
			return u.name()
		}
		return ""
	}
	eps := make([]epOut, 0, len(t.Permissions))
	for _, ep := range t.Permissions {
		e := epOut{Entity: ep.Entity, Permissions: []permOut{}}
		for _, a := range ep.Actions {
			p := permOut{Action: a.Action, Access: a.Access}
			if len(a.RestrictedFields) > 0 {
				p.Properties = &propsOut{RestrictedFields: slices.Clone(a.RestrictedFields), Restrictions: []map[string]any{}}
			}
			e.Permissions = append(e.Permissions, p)
		}
		eps = append(eps, e)
	}
	return tplOut{
		ID: t.ID, Name: t.Name, Description: t.Description, EntityPermissions: eps,
		CreatedBy: t.CreatedBy, CreatedOn: fmtTime(t.CreatedOn), ModifiedBy: t.ModifiedBy, ModifiedOn: fmtTime(t.ModifiedOn),
		CreatedByName: nameOf(t.CreatedBy), ModifiedByName: nameOf(t.ModifiedBy),
		AssociatedUserIDs: orEmpty(slices.Clone(t.UserIDs)), AssociatedGroupIDs: orEmpty(slices.Clone(t.GroupIDs)),
		AssociatedRoleIDs: orEmpty(slices.Clone(t.Roles)),
	}
}

// getPermissionTemplates lists templates: one by Parameter.TemplateId, or those whose name or
// description contains Parameter.SearchText (ignoring case), or all when both are blank.
// Sorting by Name, CreatedOn or ModifiedOn (Direction 1 descending, else ascending);
// paging 1-based, 100 per page by default; RecordCount counts every match.
func (s *Server) getPermissionTemplates(c *call) (int, any) {
	var req api.PermissionTemplateSearchRequest
	if err := c.decode(&req); err != nil {
		return http.StatusBadRequest, errBody(api.ExceptionInvalidInput, err.Error())
	}
	id, text := strings.TrimSpace(req.Parameter.TemplateID), strings.ToLower(strings.TrimSpace(req.Parameter.SearchText))
	var found []*Template
	for _, tid := range s.st.tplOrder {
		t := s.st.templates[tid]
		switch {
		case id != "" && !strings.EqualFold(t.ID, id):
		case text != "" && !strings.Contains(strings.ToLower(t.Name), text) && !strings.Contains(strings.ToLower(t.Description), text):
		default:
			found = append(found, t)
		}
	}
	if so := req.Sorting; so.ColumnName != "" {
		desc := so.Direction != nil && *so.Direction == 1
		key := func(t *Template) string {
			switch strings.ToLower(so.ColumnName) {
			case "name":
				return strings.ToLower(t.Name)
			case "createdon":
				return fmtTime(t.CreatedOn)
			default:
				return fmtTime(t.ModifiedOn)
			}
		}
		sort.SliceStable(found, func(i, j int) bool {
			if desc {
				return key(found[i]) > key(found[j])
			}
			return key(found[i]) < key(found[j])
		})
	}
	index, size := 1, 100
	if p := req.Paging; p.PageIndex != 0 {
		index = p.PageIndex
	}
	if p := req.Paging; p.PageSize != 0 {
		size = p.PageSize
	}
	list := []tplOut{}
	for _, t := range pageOf(found, index, size) {
		list = append(list, s.templateOut(t))
	}
	return http.StatusOK, map[string]any{"RecordCount": len(found), "List": list}
}

// applyPermissionTemplate assigns a template to users, groups and roles. With overWriteAll=true the
// lists replace the template's assignments (only Id: removes it everywhere); otherwise
// they are added. An unknown template or user answers 500.
func (s *Server) applyPermissionTemplate(c *call, p api.ApplyPermissionTemplateParams) (int, any) {
	var req api.PermissionTemplateApplyRequest
	if err := c.decode(&req); err != nil {
		return http.StatusBadRequest, errBody(api.ExceptionInvalidInput, err.Error())
	}
	t := s.st.template(req.ID)
	if t == nil {
		return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: Id (no such permission template)")
	}
	var users, groups, rs []string
	for _, id := range req.UserIDs {
		u := s.st.user(id)
		if u == nil {
			return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: UserIds (no such user)")
		}
		users = append(users, u.ID)
	}
	for _, g := range req.GroupIDs {
		groups = append(groups, strings.ToLower(g))
	}
	for _, r := range req.RoleIDs {
		rs = append(rs, string(r))
	}
	if p.OverWriteAll != nil && bool(*p.OverWriteAll) {
		t.UserIDs, t.GroupIDs, t.Roles = nil, nil, nil
	}
	t.UserIDs = union(t.UserIDs, users)
	t.GroupIDs = union(t.GroupIDs, groups)
	t.Roles = union(t.Roles, rs)
	t.ModifiedBy, t.ModifiedOn = s.st.ownerID, s.now()
	return http.StatusOK, templateOK
}

func union(a, b []string) []string {
	for _, x := range b {
		if !slices.Contains(a, x) {
			a = append(a, x)
		}
	}
	return a
}

// overwritePermissionTemplate makes the template the only user-level template of each listed user:
// they are taken off every other template's user list. An unknown template or user answers
// 500. AffectedUserIds come back sorted.
func (s *Server) overwritePermissionTemplate(c *call) (int, any) {
	var req api.PermissionTemplateOverwriteRequest
	if err := c.decode(&req); err != nil {
		return http.StatusBadRequest, errBody(api.ExceptionInvalidInput, err.Error())
	}
	t := s.st.template(req.ID)
	if t == nil {
		return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: Id (no such permission template)")
	}
	var ids []string
	for _, id := range req.UserIDs {
		u := s.st.user(id)
		if u == nil {
			return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: UserIds (no such user)")
		}
		ids = union(ids, []string{u.ID})
	}
	now := s.now()
	for _, o := range s.st.templates {
		if o == t {
			continue
		}
		before := len(o.UserIDs)
		o.UserIDs = slices.DeleteFunc(o.UserIDs, func(id string) bool { return slices.Contains(ids, id) })
		if len(o.UserIDs) != before {
			o.ModifiedOn = now
		}
	}
	t.UserIDs = union(t.UserIDs, ids)
	t.ModifiedBy, t.ModifiedOn = s.st.ownerID, now
	sorted := slices.Clone(ids)
	sort.Strings(sorted)
	return http.StatusOK, keepZero(api.PermissionTemplateOverwriteResult{Status: "Success", Message: api.PermissionTemplateOverwriteMessage{
		AffectedRows: scalar.Int(len(ids)), IsSuccessful: true, AffectedUserIDs: sorted,
	}}, "Message.AffectedRows", "Message.IsSuccessful", "Message.AffectedUserIds")
}

// defaultActions are what a user may do without any template: everything.
var defaultActions = []struct {
	entity  string
	actions []string
}{
	{"Lead", []string{"View", "Create", "Update", "Delete", "Import", "Export"}},
	{"Activity", []string{"View", "Create", "Update", "Delete"}},
}

var accessRank = map[string]int{"FullAccess": 0, "PartialAccess": 1, "NoAccess": 2}

// getUserPermissions combines the templates applied to a user (directly, or through the
// user's role unless the user's ApplyOnlyUserSpecificPT setting is 1) over full access:
// for each action the most restrictive access wins and restricted fields are merged.
// `Edit` is treated as `Update`. An unknown user answers 500.
func (s *Server) getUserPermissions(_ *call, p api.GetUserPermissionsParams) (int, any) {
	u := s.st.userOrOwner(p.UserID)
	if u == nil {
		return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: userId (no such user)")
	}
	type acc struct {
		access string
		fields []string
	}
	eff := map[string]map[string]*acc{}
	for _, d := range defaultActions {
		eff[d.entity] = map[string]*acc{}
		for _, a := range d.actions {
			eff[d.entity][a] = &acc{access: "FullAccess"}
		}
	}
	userOnly := u.Settings["ApplyOnlyUserSpecificPT"] == 1
	for _, tid := range s.st.tplOrder {
		t := s.st.templates[tid]
		if !slices.Contains(t.UserIDs, u.ID) && (userOnly || !slices.Contains(t.Roles, u.Role)) {
			continue
		}
		for _, ep := range t.Permissions {
			if eff[ep.Entity] == nil {
				eff[ep.Entity] = map[string]*acc{}
			}
			for _, a := range ep.Actions {
				action := a.Action
				if action == "Edit" {
					action = "Update"
				}
				cur := eff[ep.Entity][action]
				if cur == nil {
					cur = &acc{access: "FullAccess"}
					eff[ep.Entity][action] = cur
				}
				if accessRank[a.Access] > accessRank[cur.access] {
					cur.access = a.Access
				}
				cur.fields = union(cur.fields, a.RestrictedFields)
			}
		}
	}
	out := []epOut{}
	order := []string{"Lead", "Activity"}
	for _, e := range sortedKeys(eff) {
		if !slices.Contains(order, e) {
			order = append(order, e)
		}
	}
	for _, e := range order {
		ep := epOut{Entity: e, Permissions: []permOut{}}
		actions := sortedKeys(eff[e])
		for _, d := range defaultActions {
			if d.entity == e {
				actions = union(slices.Clone(d.actions), actions)
			}
		}
		for _, a := range actions {
			x := eff[e][a]
			p := permOut{Action: a, Access: x.access, Properties: &propsOut{}}
			if x.access != "FullAccess" && len(x.fields) > 0 {
				p.Properties.RestrictedFields = slices.Clone(x.fields)
			}
			ep.Permissions = append(ep.Permissions, p)
		}
		out = append(out, ep)
	}
	return http.StatusOK, map[string]any{"UserId": u.ID, "EntityPermissions": out}
}
