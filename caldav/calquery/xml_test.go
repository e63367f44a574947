package calquery

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeXMLGuard(t *testing.T) {
	type root struct {
		Children []anyElem `xml:",any"`
	}
	deep := func(n int) string {
		return `<D:a xmlns:D="DAV:">` + strings.Repeat("<D:x>", n) + strings.Repeat("</D:x>", n) + `</D:a>`
	}
	tests := []struct {
		name    string
		body    string
		wantErr error // nil: decodes
	}{
		{"plain", `<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>`, nil},
		{"declaration and comments", `<?xml version="1.0" encoding="utf-8"?><!-- hi --><D:a xmlns:D="DAV:"/><!-- bye -->` + "\n", nil},
		{"63 levels below the root", deep(63), nil},
		{"65 levels", deep(64), ErrBadRequest},
		{"10,000 elements", `<D:a xmlns:D="DAV:">` + strings.Repeat("<D:x/>", 9999) + `</D:a>`, nil},
		{"10,001 elements", `<D:a xmlns:D="DAV:">` + strings.Repeat("<D:x/>", 10000) + `</D:a>`, ErrBadRequest},
		{"DOCTYPE", `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>`, ErrBadRequest},
		{"DOCTYPE after the root", `<a/><!DOCTYPE a>`, ErrBadRequest},
		{"undeclared entity", `<a>&e;</a>`, ErrBadRequest},
		{"two roots", `<a/><b/>`, ErrBadRequest},
		{"text after the root", `<a/>junk`, ErrBadRequest},
		{"unclosed", `<a><b></a>`, ErrBadRequest},
		{"mismatched end", `<a></b>`, ErrBadRequest},
		{"empty", "", ErrEmptyBody},
		{"white space", " \r\n\t", ErrEmptyBody},
		{"text only", "BEGIN:VCALENDAR", ErrBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v root
			err := DecodeXML(strings.NewReader(tt.body), &v)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("DecodeXML: %v, want no error", err)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Fatalf("DecodeXML = %v, want an error wrapping %v", err, tt.wantErr)
			case tt.wantErr != nil && !errors.Is(err, ErrBadRequest):
				t.Fatalf("DecodeXML = %v, does not wrap ErrBadRequest", err)
			}
			if tt.wantErr == ErrBadRequest && errors.Is(err, ErrEmptyBody) {
				t.Fatalf("DecodeXML = %v, want a malformed-body error, not an empty one", err)
			}
		})
	}
}

func TestDecodeXMLNamespaces(t *testing.T) {
	// Prefixes are the document's own; names come out with their
	// namespace, whatever prefix (or default namespace) declared it.
	for _, body := range []string{
		`<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>`,
		`<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>`,
		`<a:propfind xmlns:a="DAV:"><a:prop><b:getetag xmlns:b="DAV:"/></a:prop></a:propfind>`,
	} {
		var v struct {
			Prop propElem `xml:"DAV: prop"`
		}
		if err := DecodeXML(strings.NewReader(body), &v); err != nil {
			t.Fatalf("DecodeXML(%s): %v", body, err)
		}
		if len(v.Prop.Props) != 1 || v.Prop.Props[0].XMLName.Space != NamespaceDAV || v.Prop.Props[0].XMLName.Local != "getetag" {
			t.Errorf("DecodeXML(%s): got props %+v, want {DAV:}getetag", body, v.Prop.Props)
		}
	}
}
