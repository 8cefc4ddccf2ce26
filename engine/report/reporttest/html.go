package reporttest

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

var cssURL = regexp.MustCompile(`(?i)url\(\s*['"]?([^'")]*)|@import`)

// ExternalRefs parses an HTML report and lists every reference it makes to
// anything outside the file: elements that load or embed (link, iframe,
// object, ...), src/href attributes other than data:image/png and
// #fragments, url() and @import in styles, and inline event handlers.
func ExternalRefs(page []byte) ([]string, error) {
	root, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return nil, fmt.Errorf("the page does not parse: %w", err)
	}
	var out []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "link", "iframe", "object", "embed", "base", "frame", "audio", "video", "source", "form":
				out = append(out, "<"+n.Data+"> element")
			}
			for _, a := range n.Attr {
				switch strings.ToLower(a.Key) {
				case "src", "href", "srcset", "action", "poster", "data", "xlink:href":
					v := strings.TrimSpace(a.Val)
					if !strings.HasPrefix(v, "data:image/png;base64,") && !strings.HasPrefix(v, "#") {
						out = append(out, n.Data+" "+a.Key+"="+v)
					}
				case "style":
					if cssURL.MatchString(a.Val) {
						out = append(out, n.Data+" style with url(): "+a.Val)
					}
				}
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					out = append(out, n.Data+" event handler "+a.Key)
				}
			}
		}
		if n.Type == html.TextNode && n.Parent != nil && n.Parent.Data == "style" {
			for _, m := range cssURL.FindAllStringSubmatch(n.Data, -1) {
				out = append(out, "stylesheet "+m[0])
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return out, nil
}
