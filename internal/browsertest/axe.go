package browsertest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// AxeEnv names the environment variable that holds the path of axe-core's
// axe.min.js; scripts/test sets it after installing the version pinned in
// e2e/package-lock.json.
const AxeEnv = "BROADSHEET_AXE"

// Axe is axe-core's script, read once and loaded into each page it checks.
type Axe struct {
	source string
}

// Violation is one axe-core rule that a page breaks, with the elements
// that break it.
type Violation struct {
	Rule   string // the rule's id, e.g. "color-contrast"
	Impact string // minor, moderate, serious or critical
	Help   string // what the rule asks, in a sentence
	URL    string // axe-core's page on the rule
	Nodes  []Node
}

// Node is one element that breaks a rule.
type Node struct {
	Target  string // a CSS selector for the element
	HTML    string // the start of the element's markup
	Summary string // what to fix, as axe-core words it
}

// LoadAxe reads axe-core from the file named by BROADSHEET_AXE or, when
// that is not set, from the first of the fallback paths that exists. When
// there is none, the test skips saying how to install it, or fails when
// the environment requires every suite.
func LoadAxe(t testing.TB, fallbacks ...string) *Axe {
	t.Helper()
	paths := fallbacks
	if p := os.Getenv(AxeEnv); p != "" {
		paths = []string{p}
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err == nil {
			if !strings.Contains(string(b), "axe") {
				t.Fatalf("%s does not look like axe-core's axe.min.js", p)
			}
			return &Axe{source: string(b)}
		}
		if !os.IsNotExist(err) {
			t.Fatalf("read axe-core: %v", err)
		}
	}
	why := fmt.Sprintf("axe-core is not installed (npm ci --prefix e2e, or %s=path/to/axe.min.js; looked in %s)",
		AxeEnv, strings.Join(paths, ", "))
	if os.Getenv(storetest.RequireAllEnv) != "" {
		t.Fatalf("%s, but %s requires the accessibility suite", why, storetest.RequireAllEnv)
	}
	t.Skip(why + ": accessibility test skipped")
	return nil
}

// axeRun runs axe-core over the whole document with its default rules
// (WCAG 2 A and AA, and its best practices) and returns the violations in
// the shape of Violation.
//
// axe-core leaves text whose colour is exactly its background's (a 1:1
// contrast) for a person to review, as it might be hidden on purpose; on
// our pages it never is, so those count as color-contrast violations too.
const axeRun = `axe.run(document).then(r => {
	const node = n => ({
		Target: n.target.map(s => Array.isArray(s) ? s.join(" >>> ") : s).join(" | "),
		HTML: n.html.slice(0, 200),
		Summary: n.failureSummary || (n.any || []).map(c => c.message).join("; "),
	});
	const out = r.violations.map(v => ({Rule: v.id, Impact: v.impact || "", Help: v.help, URL: v.helpUrl, Nodes: v.nodes.map(node)}));
	for (const v of r.incomplete.filter(v => v.id === "color-contrast")) {
		const same = v.nodes.filter(n => (n.any || []).some(c => c.data && c.data.contrastRatio === 1));
		if (same.length === 0) continue;
		const seen = out.find(o => o.Rule === v.id);
		if (seen) seen.Nodes.push(...same.map(node));
		else out.push({Rule: v.id, Impact: "serious", Help: v.help, URL: v.helpUrl, Nodes: same.map(node)});
	}
	return out;
})`

// Check loads axe-core into the page open in ctx and returns the rules the
// page breaks. The script is evaluated through the DevTools protocol, as
// the browser's console would, not added as a <script> element: the
// pages' Content-Security-Policy refuses inline and foreign scripts, and
// must stay as it is while they are checked.
func (a *Axe) Check(ctx context.Context) ([]Violation, error) {
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe === "object"`))
	if err != nil {
		return nil, fmt.Errorf("axe: look for axe-core in the page: %w", err)
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](a.source)); err != nil {
			return nil, fmt.Errorf("axe: load axe-core into the page: %w", err)
		}
	}
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]Violation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("axe: run: %w", err)
	}
	return v, nil
}

// Report writes violations one element to a line, for a test's failure.
func Report(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "%s (%s): %s\n", v.Rule, v.Impact, v.Help)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "    %s\n      %s\n", n.Target, n.HTML)
			if s := strings.TrimSpace(n.Summary); s != "" {
				fmt.Fprintf(&b, "      %s\n", strings.ReplaceAll(s, "\n", "\n      "))
			}
		}
	}
	return b.String()
}
