package calquery

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
)

// Limits on a request body; the handler also caps its size.
const (
	maxDepth    = 64
	maxElements = 10000
)

// ErrEmptyBody is what DecodeXML returns for a body with no element, so
// that a handler for which an empty body means something (PROPFIND's
// allprop, RFC 4918 §9.1) can tell it from a malformed one. It wraps
// ErrBadRequest.
var ErrEmptyBody = &parseError{kinds: []error{ErrBadRequest}, msg: "empty body"}

// DecodeXML reads one XML request body into v, a struct-tagged element
// type, as every CalDAV request body is read. The tokens pass a guard
// first: a DOCTYPE or other declaration is refused (no entity expansion
// games), and so are more than 64 levels of nesting, more than 10,000
// elements, a second root element and text after the root. Every error
// wraps ErrBadRequest.
func DecodeXML(r io.Reader, v any) error {
	g := &guard{d: xml.NewDecoder(r)}
	if err := xml.NewTokenDecoder(g).Decode(v); err != nil {
		switch {
		case g.err != nil:
			return g.err
		case errors.Is(err, io.EOF) && !g.seen && !g.text:
			return ErrEmptyBody
		}
		return badRequest(nil, "malformed XML: %v", err)
	}
	// Nothing but white space, comments or processing instructions may
	// follow the root element.
	for {
		tok, err := g.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if g.err != nil {
				return g.err
			}
			return badRequest(nil, "malformed XML after the root element: %v", err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return badRequest(nil, "text after the root element")
			}
		case xml.StartElement:
			return badRequest(nil, "more than one root element")
		}
	}
}

// guard is an xml.TokenReader that enforces DecodeXML's limits on the
// tokens of d. It reads raw tokens, so that the decoder reading from it
// resolves the namespaces once.
type guard struct {
	d     *xml.Decoder
	depth int
	count int
	seen  bool // an element was read
	text  bool // text was read before the root element
	err   error
}

func (g *guard) Token() (xml.Token, error) {
	if g.err != nil {
		return nil, g.err
	}
	tok, err := g.d.RawToken()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case xml.Directive:
		g.err = badRequest(nil, "DOCTYPE and other declarations are not accepted")
	case xml.StartElement:
		g.seen = true
		g.count++
		g.depth++
		switch {
		case g.count > maxElements:
			g.err = badRequest(nil, "too many XML elements")
		case g.depth > maxDepth:
			g.err = badRequest(nil, "XML nested too deep")
		}
		tok = t.Copy()
	case xml.EndElement:
		g.depth--
	case xml.CharData:
		if !g.seen && len(bytes.TrimSpace(t)) != 0 {
			g.text = true
		}
		tok = t.Copy()
	}
	if g.err != nil {
		return nil, g.err
	}
	return tok, nil
}

// attrs are the unqualified attributes of an element, read with
// `xml:",any,attr"`, so that a missing attribute can be told from an
// empty one.
type attrs []xml.Attr

func (as attrs) get(name string) (string, bool) {
	for _, a := range as {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// anyElem is an element of a request whose name is all that counts.
type anyElem struct {
	XMLName xml.Name
}

func (e anyElem) String() string { return e.XMLName.Local }
