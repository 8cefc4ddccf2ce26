package assessment

import (
	"strings"
	"text/template"
	"text/template/parse"
	"unicode"
)

// Outline renders a rule's text template (Rationale, Notes, Blocked) for
// a reader rather than for the classifier: every value the template fills
// in becomes ‹its name›, and conditional text is shown in brackets with
// its alternative after a bar, so a report can state each rule's
// rationale without quoting template syntax. A template that does not
// parse is returned as written (Validate refuses such a rule anyway).
func Outline(text string) string {
	t, err := template.New("outline").Funcs(templateFuncs).Parse(text)
	if err != nil || t.Tree == nil {
		return text
	}
	var b strings.Builder
	outlineNodes(&b, t.Tree.Root)
	return strings.Join(strings.Fields(b.String()), " ")
}

func outlineNodes(b *strings.Builder, list *parse.ListNode) {
	if list == nil {
		return
	}
	for _, n := range list.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			b.Write(n.Text)
		case *parse.ActionNode:
			b.WriteString("‹" + pipeName(n.Pipe) + "›")
		case *parse.IfNode:
			outlineBranch(b, &n.BranchNode)
		case *parse.WithNode:
			outlineBranch(b, &n.BranchNode)
		case *parse.RangeNode:
			outlineBranch(b, &n.BranchNode)
		}
	}
}

// outlineBranch shows conditional text as [text] or [text | otherwise].
func outlineBranch(b *strings.Builder, n *parse.BranchNode) {
	b.WriteString("[")
	outlineNodes(b, n.List)
	if n.ElseList != nil {
		b.WriteString(" | ")
		outlineNodes(b, n.ElseList)
	}
	b.WriteString("]")
}

// pipeName names the value a pipeline fills in: the last field of the
// first field it reads (.Assignment.PrincipalName: "principal name"),
// "value" for the dot itself.
func pipeName(p *parse.PipeNode) string {
	var name string
	var walk func(parse.Node) bool
	walk = func(n parse.Node) bool {
		switch n := n.(type) {
		case *parse.FieldNode:
			name = n.Ident[len(n.Ident)-1]
		case *parse.ChainNode:
			if len(n.Field) > 0 {
				name = n.Field[len(n.Field)-1]
			}
		case *parse.VariableNode:
			if len(n.Ident) > 1 {
				name = n.Ident[len(n.Ident)-1]
			}
		case *parse.DotNode:
			name = "value"
		case *parse.PipeNode:
			for _, c := range n.Cmds {
				for _, a := range c.Args {
					if walk(a) {
						return true
					}
				}
			}
		}
		return name != ""
	}
	walk(p)
	if name == "" {
		return "value"
	}
	return words(name)
}

// words turns an identifier (PrincipalName, client_type) into lower-case
// words.
func words(id string) string {
	var b strings.Builder
	rs := []rune(id)
	for i, r := range rs {
		switch {
		case r == '_':
			b.WriteRune(' ')
		case unicode.IsUpper(r):
			if i > 0 && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) && rs[i-1] != '_' {
				b.WriteRune(' ')
			}
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
