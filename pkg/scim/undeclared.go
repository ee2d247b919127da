package scim

import (
	"fmt"
	"sort"
	"strings"

	scimerrors "github.com/elimity-com/scim/errors"
)

// undeclaredError refuses a write carrying an attribute the handler does not declare:
// the library would drop it from a create or PUT while the IdP is told it was stored.
type undeclaredError struct {
	scimType scimerrors.ScimType
	msg      string
}

func (e *undeclaredError) Error() string { return e.msg }

// checkAttributes refuses a resource (create, PUT) or a PATCH whose attributes, paths or
// path-less value keys name an attribute of neither the User schema nor an extension the
// handler declares.
func (h *Handler) checkAttributes(doc map[string]any, patch bool) error {
	if !patch {
		return h.checkKeys(doc, scimerrors.ScimTypeInvalidValue)
	}
	for k, ops := range doc {
		if !strings.EqualFold(k, "Operations") {
			continue
		}
		list, _ := ops.([]any)
		for _, o := range list {
			op, _ := o.(map[string]any)
			var path string
			var value any
			for pk, pv := range op {
				switch {
				case strings.EqualFold(pk, "path"):
					path, _ = pv.(string)
				case strings.EqualFold(pk, "value"):
					value = pv
				}
			}
			if path != "" {
				if err := h.checkName(path, nil, scimerrors.ScimTypeInvalidPath); err != nil {
					return err
				}
				continue
			}
			if m, ok := value.(map[string]any); ok {
				if err := h.checkKeys(m, scimerrors.ScimTypeInvalidValue); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// checkKeys checks the keys of a resource or of a path-less PATCH value.
func (h *Handler) checkKeys(m map[string]any, typ scimerrors.ScimType) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := h.checkName(k, m[k], typ); err != nil {
			return err
		}
	}
	return nil
}

// checkName checks one attribute name or path (name, name.sub, name[filter].sub,
// urn:...:name, or an extension's URN with its object as v).
func (h *Handler) checkName(name string, v any, typ scimerrors.ScimType) error {
	lower := strings.ToLower(name)
	if !strings.HasPrefix(lower, "urn:") {
		base := lower
		if i := strings.IndexAny(base, ".["); i >= 0 {
			base = base[:i]
		}
		if h.attrs[base] {
			return nil
		}
		return &undeclaredError{typ, fmt.Sprintf("unknown attribute %q: it is in neither the User schema (RFC 7643 section 4.1) nor an extension this service declares (GET /Schemas); nothing was changed", name)}
	}
	if h.exts[lower] {
		return nil
	}
	if lower == strings.ToLower(UserSchema) {
		return nil
	}
	for ext := range h.exts {
		if strings.HasPrefix(lower, ext+":") {
			return nil
		}
	}
	if rest, ok := strings.CutPrefix(lower, strings.ToLower(UserSchema)+":"); ok {
		return h.checkName(name[len(name)-len(rest):], nil, typ)
	}
	schemaURN, attrs := name, []string(nil)
	if obj, ok := v.(map[string]any); ok {
		for a := range obj {
			attrs = append(attrs, a)
		}
		sort.Strings(attrs)
	} else if i := strings.LastIndex(name, ":"); i > 0 {
		schemaURN, attrs = name[:i], []string{name[i+1:]}
	}
	return &undeclaredError{typ, fmt.Sprintf("%s (%s): this service does not declare that extension, so LeadSquared has no field for it; "+
		"to store it in a custom field (mx_*), send it as %s:NAME and map that name in the mapping file (lsq scim serve --mapping), "+
		"or remove it from the identity provider's attribute mappings; nothing was changed",
		schemaURN, strings.Join(attrs, ", "), CustomSchema)}
}
