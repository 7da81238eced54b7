// Package web embeds the built H5 portal (web/dist) so the binary serves it.
package web

import (
	"embed"
	"io/fs"
)

//go:embed dist
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
