package usersync

import (
	"io"
)

// Sheet is a users file being read (a CSV as lsq users export writes it, or as a
// spreadsheet saves it): UTF-8 with or without a byte-order mark, UTF-16 with one, cells
// separated by ',' ';' or tab (found from the header row unless given).
type Sheet struct{ s *sheet }

// OpenSheet starts reading a users file from r: it decodes a UTF-16 file, drops a
// byte-order mark, finds the delimiter (delim 0: the one of ',', ';' and tab that splits
// the header row into the most cells) and reads the header row. Read the records with
// [Sheet.Next].
func OpenSheet(r io.Reader, delim rune) (*Sheet, error) {
	s, err := openSheet(r, delim)
	if err != nil {
		return nil, err
	}
	return &Sheet{s}, nil
}

// Header returns the header row as read.
func (s *Sheet) Header() []string { return s.s.header }

// Delimiter returns the character between cells.
func (s *Sheet) Delimiter() rune { return s.s.delim }

// Encoding returns the encoding of the file: "UTF-8", "UTF-16LE" or "UTF-16BE".
func (s *Sheet) Encoding() string { return s.s.encoding }

// Next returns the next record and the line of the file it starts on (the header is line
// 1); io.EOF at the end. A syntax error names its row.
func (s *Sheet) Next() ([]string, int, error) { return s.s.next() }

// DelimiterHint returns what to add to the error of an unknown column whose name holds
// another delimiter (the file was read with the wrong one), or "".
func (s *Sheet) DelimiterHint(name string) string { return s.s.delimiterHint(name) }

// ParseDelimiter reads a delimiter as a person gives it: ",", ";", "tab" (or a tab
// character), "|"; "" means found from the header row (0).
func ParseDelimiter(s string) (rune, error) { return parseDelimiter(s) }

// DelimiterName is how messages name a delimiter ("tab" for a tab).
func DelimiterName(d rune) string { return delimiterName(d) }

// DecodeText reads r as UTF-8 text, as a users file is read: a UTF-8 byte-order mark is
// dropped, UTF-16 with a mark (what Excel saves as "Unicode text") is decoded, UTF-16
// without one is an error. An invalid sequence is left for [InvalidUTF8] to name.
func DecodeText(r io.Reader) (io.Reader, error) {
	dr, _, err := decodeText(r)
	return dr, err
}

// InvalidUTF8 describes the first invalid UTF-8 sequence of a cell, or its first NUL byte,
// or returns "" when it is valid: a Latin-1 file is refused, never read as other names.
func InvalidUTF8(cell string) string { return badUTF8(cell) }
