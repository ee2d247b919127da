package usersync

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// What spreadsheets write when they save "CSV": UTF-8 with or without a byte-order mark
// (Excel, PowerShell's Export-Csv, which also quotes every cell), UTF-16 with a mark
// ("Unicode text"), and cells separated by ',' or, where ',' is the decimal separator
// (European Excel), by ';' or a tab. openSheet reads them all: the encoding from the mark,
// the delimiter from the header row (or --delimiter). Two lines some writers put above the
// header are read as what they are, not as the header: Windows PowerShell 5.1's Export-Csv
// writes "#TYPE System.Management.Automation.PSCustomObject" (without -NoTypeInformation),
// and a "sep=;" (or "sep=,") line tells Excel the delimiter. Neither counts as a row: the
// header is row 1, as Excel shows a file with a sep= line.

// sheetDelimiters are the delimiters openSheet detects, in order of preference on a tie.
var sheetDelimiters = []rune{',', ';', '\t'}

// sheet is a CSV being read: the header and the records after it.
type sheet struct {
	cr       *csv.Reader
	header   []string
	delim    rune
	encoding string // "UTF-8", "UTF-16LE" or "UTF-16BE"
}

// delimiterName is how messages and --delimiter name a delimiter.
func delimiterName(d rune) string {
	if d == '\t' {
		return `tab`
	}
	return string(d)
}

// parseDelimiter reads --delimiter: ",", ";", "tab" (or a tab character), "|"; "" is detect.
func parseDelimiter(s string) (rune, error) {
	switch s {
	case "":
		return 0, nil
	case "tab", `\t`, "\t":
		return '\t', nil
	}
	r, n := utf8.DecodeRuneInString(s)
	if n != len(s) || r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError || r == ' ' {
		return 0, fmt.Errorf("--delimiter %q: want one character: , ; tab or |", s)
	}
	return r, nil
}

// openSheet starts reading a CSV: it decodes a UTF-16 file, drops a byte-order mark, finds
// the delimiter (delim 0: the one of ',', ';' and tab that splits the header row into the
// most cells) and reads the header row. The records are read with next.
func openSheet(r io.Reader, delim rune) (*sheet, error) {
	dr, encoding, err := decodeText(r)
	if err != nil {
		return nil, err
	}
	s := &sheet{encoding: encoding}
	sep, err := skipPreamble(dr)
	if err != nil {
		return nil, err
	}
	switch {
	case sep != 0 && delim != 0 && sep != delim:
		return nil, fmt.Errorf("the file's first line says sep=%s, but --delimiter says %s: give the one that separates the cells, or none", delimiterName(sep), delimiterName(delim))
	case sep != 0:
		delim = sep
	}
	if delim == 0 {
		_, _ = dr.Peek(1) // fill the buffer
		first, _ := dr.Peek(dr.Buffered())
		delim = detectDelimiter(first)
	}
	s.delim = delim
	s.cr = csv.NewReader(dr)
	s.cr.Comma = delim
	s.cr.FieldsPerRecord = -1
	s.cr.ReuseRecord = false
	h, err := s.cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the file is empty: want a header row of field names")
		}
		return nil, s.parseError(err)
	}
	s.header = h
	return s, nil
}

// skipPreamble reads the lines above the header that are not the header (PowerShell's #TYPE
// line, Excel's sep= line, at most one of each), and returns the delimiter a sep= line names,
// 0 if none.
func skipPreamble(dr *bufio.Reader) (rune, error) {
	var sep rune
	for range 2 {
		line, n := peekLine(dr)
		line = bytes.TrimSuffix(line, []byte("\r"))
		switch {
		case bytes.HasPrefix(line, []byte("#TYPE ")):
		case sep == 0 && len(line) > 4 && strings.EqualFold(string(line[:4]), "sep="):
			r, size := utf8.DecodeRune(line[4:])
			d, err := parseDelimiter(string(r))
			if size != len(line)-4 || err != nil || d == 0 {
				return 0, fmt.Errorf("row 1: %q: a sep= line names one delimiter character, such as sep=; or sep=,", line)
			}
			sep = d
		default:
			return sep, nil
		}
		_, _ = dr.Discard(n)
	}
	return sep, nil
}

// peekLine returns the first line of dr, without its \n, and its length with the \n: the rest
// of the input if it has no \n, or as much of the line as dr's buffer holds.
func peekLine(dr *bufio.Reader) (line []byte, n int) {
	for size := 1; ; size++ {
		b, err := dr.Peek(size)
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			return b[:i], i + 1
		}
		if err != nil || len(b) >= dr.Size() {
			return b, len(b)
		}
		size = max(size, dr.Buffered()) // Peek(size+1) reads more
	}
}

// detectDelimiter returns the delimiter that splits the first line of b into the most
// cells, ',' if none does.
func detectDelimiter(b []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, c := range string(b) {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if !quoted && (c == '\n' || c == '\r') {
			break
		}
		if !quoted {
			counts[c]++
		}
	}
	best := ','
	for _, d := range sheetDelimiters {
		if counts[d] > counts[best] {
			best = d
		}
	}
	return best
}

// next returns the next record and the line it starts on; io.EOF at the end.
func (s *sheet) next() ([]string, int, error) {
	rec, err := s.cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, 0, io.EOF
		}
		return nil, 0, s.parseError(err)
	}
	line, _ := s.cr.FieldPos(0)
	return rec, line, nil
}

// parseError names the row of a CSV syntax error, and hints at the delimiter.
func (s *sheet) parseError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := fmt.Sprintf("row %d: %v", pe.Line, pe.Err)
		if errors.Is(pe.Err, csv.ErrBareQuote) || errors.Is(pe.Err, csv.ErrQuote) {
			msg += fmt.Sprintf(" (cells read as separated by %q; if they are not, give --delimiter)", delimiterName(s.delim))
		}
		return errors.New(msg)
	}
	return err
}

// delimiterHint is added to an unknown-column error whose name holds another delimiter.
func (s *sheet) delimiterHint(name string) string {
	for _, d := range sheetDelimiters {
		if d != s.delim && strings.ContainsRune(name, d) {
			return fmt.Sprintf(" (the cells look separated by %q, not %q: give --delimiter '%s')", delimiterName(d), delimiterName(s.delim), delimiterName(d))
		}
	}
	return ""
}

// decodeText reads r as UTF-8 text: a UTF-8 byte-order mark is dropped, UTF-16 with a
// mark decoded (and a second mark dropped, should a writer put two), UTF-16 without one
// refused. It returns the text, and the encoding it was in.
func decodeText(r io.Reader) (*bufio.Reader, string, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	encoding := "UTF-8"
	mark, _ := br.Peek(3)
	var in io.Reader = br
	switch {
	case bytes.HasPrefix(mark, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3)
	case bytes.HasPrefix(mark, []byte{0xFF, 0xFE}):
		_, _ = br.Discard(2)
		encoding, in = "UTF-16LE", &utf16Reader{r: br, little: true}
	case bytes.HasPrefix(mark, []byte{0xFE, 0xFF}):
		_, _ = br.Discard(2)
		encoding, in = "UTF-16BE", &utf16Reader{r: br}
	case len(mark) >= 2 && (mark[0] == 0) != (mark[1] == 0):
		return nil, "", errors.New("the file looks like UTF-16 without a byte-order mark: save it as UTF-8 (\"CSV UTF-8\") or as UTF-16 with a mark (\"Unicode text\")")
	}
	if in == br {
		return br, encoding, nil
	}
	dr := bufio.NewReaderSize(in, 64<<10)
	if m, _ := dr.Peek(3); bytes.HasPrefix(m, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = dr.Discard(3) // U+FEFF decoded from the mark's bytes, should a writer put two
	}
	return dr, encoding, nil
}

// badUTF8 describes the first invalid UTF-8 sequence of s, or its first NUL byte (what a
// file saved as other than text holds, which no spreadsheet or LeadSquared field keeps), or
// returns "" when s is valid.
func badUTF8(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 && utf8.ValidString(s[:i]) {
		return fmt.Sprintf("a NUL byte (0x00) at byte %d of the cell: the file is not plain text; save it as UTF-8 (\"CSV UTF-8\")", i+1)
	}
	if utf8.ValidString(s) {
		return ""
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return fmt.Sprintf("not valid UTF-8 (byte 0x%02X at byte %d of the cell): save the file as UTF-8 (\"CSV UTF-8\"), not Latin-1/Windows-1252", s[i], i+1)
		}
		i += n
	}
	return ""
}

// utf16Reader decodes UTF-16 into UTF-8. A lone surrogate becomes the invalid byte 0xFF, so
// that the row holding it is refused rather than silently changed.
type utf16Reader struct {
	r      *bufio.Reader
	little bool
	out    []byte
	err    error
}

func (u *utf16Reader) unit() (uint16, error) {
	var b [2]byte
	if _, err := io.ReadFull(u.r, b[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return 0xFFFF, nil // an odd byte at the end: invalid
		}
		return 0, err
	}
	if u.little {
		return uint16(b[0]) | uint16(b[1])<<8, nil
	}
	return uint16(b[1]) | uint16(b[0])<<8, nil
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	for len(u.out) < len(p) && u.err == nil {
		c, err := u.unit()
		if err != nil {
			u.err = err
			break
		}
		switch {
		case c == 0xFFFF:
			u.out = append(u.out, 0xFF)
		case utf16.IsSurrogate(rune(c)):
			if c >= 0xDC00 {
				u.out = append(u.out, 0xFF)
				continue
			}
			peek, _ := u.r.Peek(2)
			if len(peek) < 2 {
				u.out = append(u.out, 0xFF)
				continue
			}
			lo := uint16(peek[1]) | uint16(peek[0])<<8
			if u.little {
				lo = uint16(peek[0]) | uint16(peek[1])<<8
			}
			if lo < 0xDC00 || lo > 0xDFFF {
				u.out = append(u.out, 0xFF)
				continue
			}
			_, _ = u.r.Discard(2)
			u.out = utf8.AppendRune(u.out, utf16.DecodeRune(rune(c), rune(lo)))
		default:
			u.out = utf8.AppendRune(u.out, rune(c))
		}
	}
	n := copy(p, u.out)
	u.out = u.out[:copy(u.out, u.out[n:])]
	if n == 0 && u.err != nil {
		return 0, u.err
	}
	return n, nil
}
