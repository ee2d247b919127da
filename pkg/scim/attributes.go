package scim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// selection is what the attributes or excludedAttributes query parameter names (RFC 7644
// section 3.4.2.5), keyed by the lower-case top-level key of a User (a core attribute, or
// an extension's URN): the whole attribute, or some of its sub-attributes.
type selection map[string]*selected

type selected struct {
	whole bool
	subs  map[string]bool
}

// parseSelection reads a comma-separated list of attribute names: name, name.sub,
// urn:...:core:2.0:User:name, EXTENSION-URN, EXTENSION-URN:name(.sub), in any letter
// case. Names of no declared schema select nothing.
func (h *Handler) parseSelection(list string) selection {
	sel := selection{}
	add := func(top, sub string) {
		s := sel[top]
		if s == nil {
			s = &selected{subs: map[string]bool{}}
			sel[top] = s
		}
		if sub == "" {
			s.whole = true
		} else {
			s.subs[sub] = true
		}
	}
	core := strings.ToLower(UserSchema) + ":"
	for _, name := range strings.Split(list, ",") {
		n := strings.ToLower(strings.TrimSpace(name))
		if n == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(n, core); ok {
			n = rest
		} else if strings.HasPrefix(n, "urn:") {
			for ext := range h.exts {
				if n == ext {
					add(ext, "")
				} else if rest, ok := strings.CutPrefix(n, ext+":"); ok {
					sub, _, _ := strings.Cut(rest, ".")
					add(ext, sub)
				}
			}
			continue
		}
		top, sub, _ := strings.Cut(n, ".")
		add(top, sub)
	}
	return sel
}

// prune applies include (attributes) or exclude (excludedAttributes) to one resource; id
// and schemas are always returned (their "returned" characteristic is "always").
func (sel selection) prune(res map[string]any, include bool) {
	for k, v := range res {
		lk := strings.ToLower(k)
		if lk == "id" || lk == "schemas" {
			continue
		}
		s, named := sel[lk]
		switch {
		case include && !named, !include && named && s.whole:
			delete(res, k)
		case named && !s.whole:
			if nv, keep := pickSubs(v, s.subs, include); keep {
				res[k] = nv
			} else {
				delete(res, k)
			}
		}
	}
}

// pickSubs keeps (include) or drops the sub-attributes subs of a complex value or of each
// value of a multi-valued one; it reports whether anything is left.
func pickSubs(v any, subs map[string]bool, include bool) (any, bool) {
	filter := func(m map[string]any) map[string]any {
		out := map[string]any{}
		for k, x := range m {
			if subs[strings.ToLower(k)] == include {
				out[k] = x
			}
		}
		return out
	}
	switch x := v.(type) {
	case map[string]any:
		m := filter(x)
		return m, len(m) > 0
	case []any:
		var out []any
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				if f := filter(m); len(f) > 0 {
					out = append(out, f)
				}
			}
		}
		return out, len(out) > 0
	}
	return v, !include
}

// selectionWriter holds a successful answer back so that the attributes sel names can be
// kept or dropped (none when sel is nil) and a list's itemsPerPage corrected; errors pass
// through untouched.
type selectionWriter struct {
	http.ResponseWriter
	sel     selection
	include bool
	status  int
	buf     bytes.Buffer
}

func (w *selectionWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	if code != http.StatusOK && code != http.StatusCreated {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *selectionWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.status != http.StatusOK && w.status != http.StatusCreated {
		return w.ResponseWriter.Write(b)
	}
	return w.buf.Write(b)
}

// finish writes the held answer, pruned.
func (w *selectionWriter) finish() {
	if w.status != http.StatusOK && w.status != http.StatusCreated {
		return
	}
	body := w.buf.Bytes()
	var doc map[string]any
	if json.Unmarshal(body, &doc) == nil && (w.sel != nil || doc["Resources"] != nil) {
		if list, ok := doc["Resources"].([]any); ok {
			// RFC 7644 section 3.4.2: "The number of resources returned in a list
			// response page"; the library writes the count asked for.
			if _, ok := doc["itemsPerPage"]; ok {
				doc["itemsPerPage"] = len(list)
			}
			for _, r := range list {
				if m, ok := r.(map[string]any); ok && w.sel != nil {
					w.sel.prune(m, w.include)
				}
			}
		} else if _, ok := doc["id"]; ok && w.sel != nil {
			w.sel.prune(doc, w.include)
		}
		if b, err := json.Marshal(doc); err == nil {
			body = b
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.ResponseWriter.WriteHeader(w.status)
	_, _ = w.ResponseWriter.Write(body)
}
