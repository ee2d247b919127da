package usersync

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"slices"
	"strings"
)

// customPrefix prefixes a custom field's name among the columns of a create's row.
const customPrefix = "CustomFields."

// WriteJSON writes the plan as JSON that encoding/json reads back into a Plan (Plan's
// UnmarshalJSON): compact, one user and one action a line, so that a person (or diff) can
// still read it line by line. A create is written as a row, its body's values in the order
// of the plan's createColumns (written once), rather than its body, which repeats every
// field's name: a plan of creates is then about the size of its users file, not three
// times it.
func (p *Plan) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := func(v any) {
		b, _ := json.Marshal(v) // a Plan's fields always marshal
		_, _ = bw.Write(b)
	}
	head := *p
	head.Users, head.Actions = Fingerprints{}, nil
	b, err := json.Marshal(head)
	if err != nil {
		return err
	}
	var fields map[string]json.RawMessage // the other fields: users and actions follow
	if err := json.Unmarshal(b, &fields); err != nil {
		return err
	}
	delete(fields, "users")
	delete(fields, "actions")
	cols, err := createColumns(p.All())
	if err != nil {
		return err
	}
	if len(cols) > 0 {
		if fields["createColumns"], err = json.Marshal(cols); err != nil {
			return err
		}
	}
	if b, err = json.Marshal(fields); err != nil {
		return err
	}
	_, _ = bw.Write(b[:len(b)-1])
	_, _ = bw.WriteString(`,"users":{`)
	i := 0
	for k, v := range p.Users.All() {
		if i++; i > 1 {
			_ = bw.WriteByte(',')
		}
		_ = bw.WriteByte('\n')
		enc(k)
		_ = bw.WriteByte(':')
		enc(v)
	}
	_, _ = bw.WriteString("\n},\"actions\":[")
	i = 0
	for a, err := range p.All() {
		if err != nil {
			return err
		}
		if i++; i > 1 {
			_ = bw.WriteByte(',')
		}
		_ = bw.WriteByte('\n')
		if row, email, ok := createRow(a, cols); ok {
			a.Create = nil
			out := actionJSON{actionAlias: actionAlias(a), Email: a.Email, Row: row}
			if a.Email == email {
				out.Email = "" // the row's EmailAddress
			}
			enc(out)
			continue
		}
		enc(a)
	}
	_, _ = bw.WriteString("\n]}\n")
	return bw.Flush()
}

// createFieldsOf returns the fields of a create's body, custom fields as
// CustomFields.<name>, or false for a body that is not an object of them.
func createFieldsOf(raw json.RawMessage) (map[string]json.RawMessage, bool) {
	var top map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &top) != nil || top == nil {
		return nil, false
	}
	for k := range top {
		if strings.HasPrefix(k, customPrefix) {
			return nil, false // a field named like a custom field's column
		}
	}
	if cf, ok := top["CustomFields"]; ok {
		var custom map[string]json.RawMessage
		if json.Unmarshal(cf, &custom) != nil || custom == nil {
			return nil, false
		}
		delete(top, "CustomFields")
		for k, v := range custom {
			top[customPrefix+k] = v
		}
	}
	return top, true
}

// createColumns are the fields of the plan's creates, sorted.
func createColumns(actions iter.Seq2[Action, error]) ([]string, error) {
	set := map[string]bool{}
	for a, err := range actions {
		if err != nil {
			return nil, err
		}
		if a.Kind != KindCreate {
			continue
		}
		if f, ok := createFieldsOf(a.Create); ok {
			for k := range f {
				set[k] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(set)), nil
}

// createRow returns a create's body as a row of cols (null where the body has no value), and
// its EmailAddress; false for an action that is not a create, or a body that is not an
// object of fields.
func createRow(a Action, cols []string) (json.RawMessage, string, bool) {
	if a.Kind != KindCreate {
		return nil, "", false
	}
	f, ok := createFieldsOf(a.Create)
	if !ok {
		return nil, "", false
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		if v, ok := f[c]; ok {
			b.Write(v)
		} else {
			b.WriteString("null")
		}
	}
	b.WriteByte(']')
	var email string
	_ = json.Unmarshal(f["EmailAddress"], &email)
	return b.Bytes(), email, true
}

// bodyOf is the body of a create from its row: the inverse of createRow.
func bodyOf(row json.RawMessage, cols []string) (json.RawMessage, string, error) {
	var vals []json.RawMessage
	if err := json.Unmarshal(row, &vals); err != nil {
		return nil, "", err
	}
	if len(vals) != len(cols) {
		return nil, "", fmt.Errorf("a row of %d values, want one per createColumns (%d)", len(vals), len(cols))
	}
	top := map[string]json.RawMessage{}
	custom := map[string]json.RawMessage{}
	for i, c := range cols {
		v := vals[i]
		if string(v) == "null" {
			continue
		}
		if name, ok := strings.CutPrefix(c, customPrefix); ok {
			custom[name] = v
		} else {
			top[c] = v
		}
	}
	if len(custom) > 0 {
		b, err := json.Marshal(custom)
		if err != nil {
			return nil, "", err
		}
		top["CustomFields"] = b
	}
	b, err := json.Marshal(top)
	if err != nil {
		return nil, "", err
	}
	var email string
	_ = json.Unmarshal(top["EmailAddress"], &email)
	return b, email, nil
}

// planAlias and actionAlias are Plan and Action without their methods.
type (
	planAlias   Plan
	actionAlias Action
)

// actionJSON is an action as WriteJSON writes it: a create's body as a row.
type actionJSON struct {
	actionAlias
	Email string          `json:"email,omitempty"` // "": the row's EmailAddress
	Row   json.RawMessage `json:"row,omitempty"`
}

// UnmarshalJSON reads a plan as WriteJSON or encoding/json writes it.
func (p *Plan) UnmarshalJSON(b []byte) error {
	var in struct {
		planAlias
		CreateColumns []string     `json:"createColumns"`
		Actions       []actionJSON `json:"actions"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*p = Plan(in.planAlias)
	p.Actions = nil
	if in.Actions != nil {
		p.Actions = make([]Action, len(in.Actions))
	}
	for i, a := range in.Actions {
		act := Action(a.actionAlias)
		act.Email = a.Email
		if len(a.Row) > 0 && string(a.Row) != "null" {
			body, email, err := bodyOf(a.Row, in.CreateColumns)
			if err != nil {
				return fmt.Errorf("action %d: %w", i+1, err)
			}
			act.Create = body
			if act.Email == "" {
				act.Email = email
			}
		}
		p.Actions[i] = act
		in.Actions[i] = actionJSON{} // let it go
	}
	return nil
}

// ReadPlan reads a plan as WriteJSON or encoding/json writes it (as [Plan.UnmarshalJSON]
// does), as it decodes it, one user and one action at a time, never holding r's bytes
// whole (but for the actions of a plan edited to put them before its createColumns): the
// creates of the plan's first run of them wait in a temporary file, as in a plan made with
// [Options.SpillCreates], so that a saved plan of a file of new users is not held in
// memory. Close the plan to remove that file. An action that cannot be read is an error
// naming it.
func ReadPlan(r io.Reader) (_ *Plan, err error) {
	dec := json.NewDecoder(r)
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("usersync: not a plan: %w", notObject(err))
	}
	var (
		cols      []string
		colsSeen  bool
		rawAction json.RawMessage // actions before createColumns: read after them
		held      []Action
		sp        *spill
		ended     bool // the run of creates in sp
		users     Fingerprints
	)
	defer func() {
		if err != nil && sp != nil {
			_ = sp.close()
		}
	}()
	head := map[string]json.RawMessage{}
	add := func(i int, a actionJSON) error {
		act := Action(a.actionAlias)
		act.Email = a.Email
		if len(a.Row) > 0 && string(a.Row) != "null" {
			body, email, err := bodyOf(a.Row, cols)
			if err != nil {
				return fmt.Errorf("usersync: not a plan: action %d: %w", i+1, err)
			}
			act.Create = body
			if act.Email == "" {
				act.Email = email
			}
		}
		if act.Kind != KindCreate || ended {
			ended = ended || sp != nil
			held = append(held, act)
			return nil
		}
		if sp == nil {
			var err error
			if sp, err = newSpill(); err != nil {
				return err
			}
			sp.at = len(held)
		}
		return sp.add(act)
	}
	actions := func(dec *json.Decoder) error {
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			if t == nil && err == nil { // null: none
				return nil
			}
			return fmt.Errorf("usersync: not a plan: actions: %w", notObject(err))
		}
		for i := 0; dec.More(); i++ {
			var a actionJSON
			if err := dec.Decode(&a); err != nil {
				return fmt.Errorf("usersync: not a plan: action %d: %w", i+1, err)
			}
			if err := add(i, a); err != nil {
				return err
			}
		}
		_, err := dec.Token()
		return err
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("usersync: not a plan: %w", err)
		}
		key, _ := t.(string)
		switch {
		case key == "actions" && colsSeen:
			if err := actions(dec); err != nil {
				return nil, err
			}
		case key == "actions":
			if err := dec.Decode(&rawAction); err != nil {
				return nil, fmt.Errorf("usersync: not a plan: actions: %w", err)
			}
		case key == "users":
			if err := users.decode(dec); err != nil {
				return nil, fmt.Errorf("usersync: not a plan: %w", err)
			}
		case key == "createColumns":
			if err := dec.Decode(&cols); err != nil {
				return nil, fmt.Errorf("usersync: not a plan: createColumns: %w", err)
			}
			colsSeen = true
		default:
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return nil, fmt.Errorf("usersync: not a plan: %s: %w", Printable(key), err)
			}
			head[key] = v
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("usersync: not a plan: %w", err)
	}
	if rawAction != nil {
		if err := actions(json.NewDecoder(bytes.NewReader(rawAction))); err != nil {
			return nil, err
		}
	}
	b, err := json.Marshal(head)
	if err != nil {
		return nil, err
	}
	p := &Plan{}
	if err := p.UnmarshalJSON(b); err != nil {
		return nil, fmt.Errorf("usersync: not a plan: %w", err)
	}
	p.Actions, p.Users = held, users
	if sp != nil {
		if err := sp.done(); err != nil {
			return nil, err
		}
		sp.offs = nil
		p.spill = sp
	}
	return p, nil
}

// notObject is err, or an error saying the JSON is not what it should be.
func notObject(err error) error {
	if err != nil {
		return err
	}
	return errors.New("not a JSON object of the plan's fields")
}
