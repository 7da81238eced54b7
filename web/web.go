// Package web embeds the built H5 portal (web/dist) so the binary serves it.
// "all:" keeps files whose names start with "_" (Vite names shared chunks
// like "_plugin-vue_export-helper-….js").
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built portal's files, rooted at dist/.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// The embed pattern guarantees dist exists; this cannot happen.
		panic(err)
	}
	return sub
}
