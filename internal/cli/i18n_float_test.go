package cli

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// germanFloat writes %f as x/text's German printer, which counsel used before, wrote it.
func TestGermanFloatMatchesPrinter(t *testing.T) {
	p := message.NewPrinter(language.German)
	for _, f := range []string{"%f", "%.0f", "%.1f", "%.2f", "%5.1f", "%-9.2f|", "2^%.0f Versuche"} {
		for _, v := range []float64{0, 0.5, 2.25, 41.7, -3, 999.5, 1234.5, 1234567.891, 1e21, math.Copysign(0, -1), -0.4, math.NaN(), math.Inf(1), math.Inf(-1)} {
			if got, want := fmt.Sprintf(f, germanFloat(v)), p.Sprintf(f, v); got != want {
				t.Errorf("%s of %v: %q, the printer wrote %q", f, v, got, want)
			}
		}
	}
}

func FuzzGermanFloat(f *testing.F) {
	f.Add(1234.5, uint8(1), uint8(0))
	f.Add(-0.04, uint8(1), uint8(8))
	f.Fuzz(func(t *testing.T, v float64, prec, width uint8) {
		format := fmt.Sprintf("%%%d.%df", width%20, prec%12)
		if got, want := fmt.Sprintf(format, germanFloat(v)), message.NewPrinter(language.German).Sprintf(format, v); got != want {
			t.Fatalf("%s of %v: %q, the printer writes %q", format, v, got, want)
		}
	})
}

// Every German text of the catalogue comes out as x/text's German printer wrote it, for
// arguments of the kinds its verbs take: counts (printed plainly, as they were then too),
// fractions, and texts holding what a printer could misread ("${HOME}", "%", "<&>").
func TestCatalogueFormatsAsPrinter(t *testing.T) {
	c, err := loadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	german(t)
	p := message.NewPrinter(language.German)
	n := 0
	for _, e := range c.entries {
		en, de := strings.TrimSpace(e.EN), strings.TrimSpace(e.DE)
		if de == "" || !strings.Contains(en, "%") {
			continue
		}
		var args, old []any
		for _, l := range verbRE().FindAllStringSubmatchIndex(en, -1) {
			switch v := en[l[1]-1]; {
			case v == '%':
				continue
			case strings.ContainsRune("dxXob", rune(v)):
				args, old = append(args, 12345), append(old, plainIntWas{12345})
			case strings.ContainsRune("feEgG", rune(v)):
				args, old = append(args, 1234.5), append(old, 1234.5)
			case v == 't':
				args, old = append(args, true), append(old, true)
			default:
				args, old = append(args, "${HOME} 100% <&> Zoë"), append(old, "${HOME} 100% <&> Zoë")
			}
		}
		if got, want := tr.sprintf(en, args...), p.Sprintf(noW(de), old...); got != want {
			t.Errorf("%q:\n got  %q\n want %q", en, got, want)
		}
		n++
	}
	if n < 100 {
		t.Errorf("only %d entries with verbs checked", n)
	}
}

// plainIntWas is how whole numbers reached the printer: formatted by fmt.
type plainIntWas struct{ v any }

func (p plainIntWas) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), p.v)
}
