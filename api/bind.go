package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/model"
)

// bindJSON decodes the request body into v. A body that is not JSON, has
// trailing data or the wrong types is a 400; one over the size limit a 413.
func bindJSON(c *gin.Context, v any) error {
	ct := c.ContentType()
	if ct != "" && ct != "application/json" {
		return model.NewError(model.KindUnsupported, "unsupported_media_type", "send the body as application/json")
	}
	dec := json.NewDecoder(c.Request.Body)
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return model.NewError(model.KindMalformed, "malformed_json", "the body must hold one JSON value")
	}
	if _, err := dec.Token(); err != io.EOF && err != nil {
		return jsonError(err)
	}
	return nil
}

func jsonError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return model.NewError(model.KindTooLarge, "body_too_large", "the request body is too large").Wrap(err)
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return (&model.Error{Kind: model.KindMalformed, Code: "malformed_json", Message: "wrong type for " + field,
			Fields: map[string]string{field: "want " + typeErr.Type.String()}}).Wrap(err)
	}
	if errors.Is(err, io.EOF) {
		return model.NewError(model.KindMalformed, "malformed_json", "the request body is empty")
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	return model.NewError(model.KindMalformed, "malformed_json", "the body is not valid JSON: %s", msg)
}

// pageRequest reads ?limit= and ?cursor=.
func pageRequest(c *gin.Context) (model.PageRequest, error) {
	return model.ParsePageRequest(c.Query("limit"), c.Query("cursor"))
}
