package usersync

import (
	"bufio"
	"encoding/json"
	"io"
	"maps"
	"slices"
)

// WriteJSON writes the plan as JSON that encoding/json reads back into a Plan: compact, but
// one user and one action a line, so that a large plan stays about the size of its source
// and a person (or diff) can still read it line by line.
func (p *Plan) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := func(v any) {
		b, _ := json.Marshal(v) // a Plan's fields always marshal
		_, _ = bw.Write(b)
	}
	head := *p
	head.Users, head.Actions = nil, nil
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
	if b, err = json.Marshal(fields); err != nil {
		return err
	}
	_, _ = bw.Write(b[:len(b)-1])
	_, _ = bw.WriteString(`,"users":{`)
	for i, k := range slices.Sorted(maps.Keys(p.Users)) {
		if i > 0 {
			_ = bw.WriteByte(',')
		}
		_ = bw.WriteByte('\n')
		enc(k)
		_ = bw.WriteByte(':')
		enc(p.Users[k])
	}
	_, _ = bw.WriteString("\n},\"actions\":[")
	for i, a := range p.Actions {
		if i > 0 {
			_ = bw.WriteByte(',')
		}
		_ = bw.WriteByte('\n')
		enc(a)
	}
	_, _ = bw.WriteString("\n]}\n")
	return bw.Flush()
}
