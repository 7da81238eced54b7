package api

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/jiuzhu/jiuzhu/model"
)

// TestMessageCatalogueCoversEveryCode walks the code base's source for every
// error code it can produce — model.NewError/Conflict/Forbidden/NotFound/
// Unavailable/RateLimited/Invalid calls, model.Error literals, the kinds —
// and fails on a code without a Chinese catalogue entry, and on a field name
// given to model.Invalid that the catalogue cannot say in words.
func TestMessageCatalogueCoversEveryCode(t *testing.T) {
	m := newMessages()
	codes, fields := collectErrorCodes(t, "..")
	if len(codes) < 100 {
		t.Fatalf("found only %d error codes; the walk is broken", len(codes))
	}
	for _, code := range sortedSet(codes) {
		msg, ok := m.codes[code]
		switch {
		case !ok:
			t.Errorf("error code %q (%s) has no catalogue message", code, codes[code])
		case !hasHan(msg):
			t.Errorf("error code %q has a message without Chinese: %q", code, msg)
		}
	}
	for _, f := range sortedSet(fields) {
		if _, ok := m.fields[f]; !ok {
			t.Errorf("field %q (%s) has no words in the catalogue", f, fields[f])
		}
	}
	for code, msg := range m.codes {
		if !hasHan(msg) {
			t.Errorf("catalogue message of %q has no Chinese: %q", code, msg)
		}
	}
	for f, words := range m.fields {
		if !hasHan(words) {
			t.Errorf("field %q has no Chinese words: %q", f, words)
		}
	}
}

func TestLocalizeNamesMemberAndField(t *testing.T) {
	m := newMessages()
	e := model.Invalid("members[1].id_number", "the check character does not match (GB 11643)")
	e.Subject = "李建国"
	msg, fields := m.localize(e)
	if want := "成员 2（李建国）的身份证号："; !strings.HasPrefix(msg, want) || !hasHan(msg) {
		t.Fatalf("message %q, want it to start with %q", msg, want)
	}
	if !strings.HasPrefix(fields["members[1].id_number"], "成员 2（李建国）的身份证号") {
		t.Fatalf("fields %v", fields)
	}
	msg, _ = m.localize(model.Invalid("members[0].incomes[2].kind", "each kind once"))
	if !strings.HasPrefix(msg, "成员 1的第 3 项收入的类别") && !strings.HasPrefix(msg, "成员 1 的第 3 项收入的类别") {
		t.Fatalf("message %q", msg)
	}
	// A message already in Chinese at its source is kept (it is more specific).
	msg, _ = m.localize(model.Conflict("not_eligible", "人均收入不低于标准，不能公示或批准"))
	if msg != "人均收入不低于标准，不能公示或批准" {
		t.Fatalf("message %q", msg)
	}
	// An unknown code falls back to its kind's message, never to English.
	msg, _ = m.localize(model.Conflict("brand_new_code", "english only"))
	if msg != m.codes["conflict"] {
		t.Fatalf("message %q", msg)
	}
}

// collectErrorCodes returns the error codes and the field names the Go
// files under root can produce, each with the place it was found.
func collectErrorCodes(t *testing.T, root string) (codes, fields map[string]string) {
	t.Helper()
	codes, fields = map[string]string{}, map[string]string{}
	pkgs := map[string][]*ast.File{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "node_modules" || n == "dist" || (strings.HasPrefix(n, ".") && n != "..") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		pkgs[filepath.Dir(path)] = append(pkgs[filepath.Dir(path)], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir, files := range pkgs {
		w := codeWalker{fset: fset, files: files, consts: stringConsts(files), codes: codes, fields: fields, inModel: filepath.Base(dir) == "model"}
		w.walk()
		if w.inModel {
			for _, f := range files {
				for _, k := range kindConsts(f) {
					codes[k] = "model kind"
				}
			}
		}
	}
	return codes, fields
}

// codeWalker finds the error codes of one package.
type codeWalker struct {
	fset    *token.FileSet
	files   []*ast.File
	consts  map[string]string
	codes   map[string]string
	fields  map[string]string
	inModel bool
}

// An errorMaker is a model function that makes a coded error: the
// argument holding the code and how the code is built from it.
type errorMaker struct {
	arg  int
	code func(string) string
}

func (w codeWalker) makers() map[string]errorMaker {
	same := func(s string) string { return s }
	return map[string]errorMaker{
		"NewError":    {1, same},
		"Conflict":    {0, same},
		"Forbidden":   {0, same},
		"NotFound":    {0, func(s string) string { return s + "_not_found" }},
		"Unavailable": {0, func(s string) string { return strings.ReplaceAll(s, " ", "_") + "_unavailable" }},
		"RateLimited": {-1, func(string) string { return "rate_limited" }},
		"Invalid":     {-1, func(string) string { return "invalid_field" }},
	}
}

func (w codeWalker) walk() {
	makers := w.makers()
	for _, f := range w.files {
		if w.inModel && strings.HasSuffix(w.fset.Position(f.Pos()).Filename, "errors.go") {
			continue // the makers themselves
		}
		for _, decl := range f.Decls {
			fn, _ := decl.(*ast.FuncDecl)
			ast.Inspect(decl, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.CallExpr:
					name := w.modelFunc(x.Fun)
					mk, ok := makers[name]
					if !ok {
						return true
					}
					where := w.fset.Position(x.Pos()).String()
					if name == "Invalid" && len(x.Args) > 0 {
						w.fieldNames(x.Args[0], where)
					}
					if mk.arg < 0 {
						w.codes[mk.code("")] = where
						return true
					}
					for _, v := range w.values(x.Args[mk.arg], fn) {
						w.codes[mk.code(v)] = where
					}
				case *ast.CompositeLit:
					if w.modelFunc(x.Type) != "Error" {
						return true
					}
					for _, el := range x.Elts {
						kv, ok := el.(*ast.KeyValueExpr)
						if k, _ := kv.Key.(*ast.Ident); ok && k != nil && k.Name == "Code" {
							for _, v := range w.values(kv.Value, fn) {
								w.codes[v] = w.fset.Position(x.Pos()).String()
							}
						}
					}
				}
				return true
			})
		}
	}
}

// modelFunc returns the name of a model identifier (model.X, or X inside
// package model), "" otherwise.
func (w codeWalker) modelFunc(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok && id.Name == "model" {
			return x.Sel.Name
		}
	case *ast.Ident:
		if w.inModel {
			return x.Name
		}
	}
	return ""
}

// values resolves a code argument: a literal, a package constant, or a
// parameter of the enclosing function (then every literal the package's
// calls of that function pass for it). An unresolvable argument is
// reported as a code of its own, so the test fails on it.
func (w codeWalker) values(e ast.Expr, fn *ast.FuncDecl) []string {
	switch x := e.(type) {
	case *ast.BasicLit:
		if s, err := strconv.Unquote(x.Value); err == nil {
			return []string{s}
		}
	case *ast.Ident:
		if v, ok := w.consts[x.Name]; ok {
			return []string{v}
		}
		if fn != nil {
			if idx := paramIndex(fn, x.Name); idx >= 0 {
				return w.callArgs(fn.Name.Name, idx)
			}
		}
	}
	return []string{"<unresolved " + w.fset.Position(e.Pos()).String() + ">"}
}

// callArgs returns the literals the package passes as argument idx of
// the function named fn.
func (w codeWalker) callArgs(fn string, idx int) []string {
	var out []string
	for _, f := range w.files {
		ast.Inspect(f, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || len(c.Args) <= idx {
				return true
			}
			if id, ok := c.Fun.(*ast.Ident); ok && id.Name == fn {
				out = append(out, w.values(c.Args[idx], nil)...)
			}
			return true
		})
	}
	return out
}

// fieldNames records every named segment of the literals that build a
// field path (members[…].incomes[…].kind → members, incomes, kind), and of
// the literals passed to a local field(...) helper.
func (w codeWalker) fieldNames(e ast.Expr, where string) {
	ast.Inspect(e, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return true
		}
		for _, seg := range strings.Split(s, ".") {
			if i := strings.IndexByte(seg, '['); i >= 0 {
				seg = seg[:i]
			}
			if seg = strings.Trim(seg, "]"); seg != "" {
				w.fields[seg] = where
			}
		}
		return true
	})
}

func paramIndex(fn *ast.FuncDecl, name string) int {
	i := 0
	for _, p := range fn.Type.Params.List {
		for _, n := range p.Names {
			if n.Name == name {
				return i
			}
			i++
		}
	}
	return -1
}

// stringConsts maps the package's string constants to their values.
func stringConsts(files []*ast.File) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							if s, err := strconv.Unquote(lit.Value); err == nil {
								out[n.Name] = s
							}
						}
					}
				}
			}
		}
	}
	return out
}

// kindConsts returns the values of the model.Kind constants in f: an error
// without a code renders its kind as the code.
func kindConsts(f *ast.File) []string {
	var out []string
	for _, decl := range f.Decls {
		g, ok := decl.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Kind" {
				continue
			}
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok {
					if s, err := strconv.Unquote(lit.Value); err == nil {
						out = append(out, s)
					}
				}
			}
		}
	}
	return out
}

func sortedSet(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
