package api

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// createApplication opens a draft: 201.
func (s *Server) createApplication(c *gin.Context) error {
	var req service.ApplicationInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	app, err := s.app.Applications.Create(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, app)
	return nil
}

// listApplications lists the resident's applications.
func (s *Server) listApplications(c *gin.Context) error {
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	page, err := s.app.Applications.List(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, page)
	return nil
}

// getApplication shows one application with timeline and documents.
func (s *Server) getApplication(c *gin.Context) error {
	app, err := s.app.Applications.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, app)
	return nil
}

// submitApplication sends the application for review.
func (s *Server) submitApplication(c *gin.Context) error {
	app, err := s.app.Applications.Submit(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, app)
	return nil
}

type withdrawRequest struct {
	Reason string `json:"reason"`
}

// withdrawApplication ends the application before a decision; the body
// (with an optional reason) may be empty.
func (s *Server) withdrawApplication(c *gin.Context) error {
	var req withdrawRequest
	if c.Request.ContentLength != 0 {
		if err := bindJSON(c, &req); err != nil && !isEmptyBody(err) {
			return err
		}
	}
	app, err := s.app.Applications.Withdraw(c.Request.Context(), c.Param("id"), req.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, app)
	return nil
}

func isEmptyBody(err error) bool {
	var me *model.Error
	return errors.As(err, &me) && me.Kind == model.KindMalformed && me.Message == "the request body is empty"
}

// multipartSlack is what the multipart framing and the kind field may add
// to a file of the upload limit.
const multipartSlack = 64 << 10

var errUploadTooLarge = model.NewError(model.KindTooLarge, "file_too_large", "the file is too large")

// uploadBody turns the size cap's error into the API's 413.
type uploadBody struct {
	r io.ReadCloser
}

func (b uploadBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return n, errUploadTooLarge
	}
	return n, err
}

func (b uploadBody) Close() error { return b.r.Close() }

// uploadDocument takes a multipart upload. A declared Content-Length over
// the limit is refused before a byte of the body is read, and the body is
// capped as it streams.
func (s *Server) uploadDocument(c *gin.Context) error {
	form, err := s.uploadForm(c)
	if err != nil {
		return err
	}
	doc, err := s.app.Documents.Upload(c.Request.Context(), c.Param("id"), form)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, doc)
	return nil
}

// staffUploadDocument is the community's upload of a document it was
// handed on paper (Documents.StaffUpload).
func (s *Server) staffUploadDocument(c *gin.Context) error {
	form, err := s.uploadForm(c)
	if err != nil {
		return err
	}
	doc, err := s.app.Documents.StaffUpload(c.Request.Context(), c.Param("id"), form)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, doc)
	return nil
}

// uploadForm caps an upload's body at the file limit and opens it as a
// multipart form (413 over the limit, 415 when not multipart).
func (s *Server) uploadForm(c *gin.Context) (*multipart.Reader, error) {
	limit := s.opts.MaxUploadBytes + multipartSlack
	if c.Request.ContentLength > limit {
		c.Header("Connection", "close")
		return nil, model.NewError(model.KindTooLarge, "file_too_large", "the file is over the %d MiB limit", s.opts.MaxUploadBytes>>20)
	}
	c.Request.Body = uploadBody{http.MaxBytesReader(c.Writer, uncappedBody(c), limit)}
	form, err := c.Request.MultipartReader()
	if errors.Is(err, http.ErrNotMultipart) {
		return nil, model.NewError(model.KindUnsupported, "multipart_required", "send the file as multipart/form-data with the parts kind and file")
	}
	if err != nil {
		return nil, model.NewError(model.KindMalformed, "malformed_upload", "the multipart body could not be read").Wrap(err)
	}
	return form, nil
}

// getDocument shows one document of the resident's application.
func (s *Server) getDocument(c *gin.Context) error {
	doc, err := s.app.Documents.Get(c.Request.Context(), c.Param("id"), c.Param("doc_id"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, doc)
	return nil
}

// deleteDocument removes a page of the resident's application: 204.
func (s *Server) deleteDocument(c *gin.Context) error {
	if err := s.app.Documents.Delete(c.Request.Context(), c.Param("id"), c.Param("doc_id")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// downloadDocument streams a document of the resident's application.
func (s *Server) downloadDocument(c *gin.Context) error {
	rc, doc, err := s.app.Documents.Open(c.Request.Context(), c.Param("id"), c.Param("doc_id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	sendDocument(c, rc, doc)
	return nil
}

// sendDocument streams a document as an attachment that browsers must not
// sniff or render inline.
func sendDocument(c *gin.Context, rc io.Reader, doc model.Document) {
	name := doc.Kind + "-" + doc.ID + service.FileExtension(doc.ContentType)
	c.DataFromReader(http.StatusOK, doc.Size, doc.ContentType, rc, map[string]string{
		"Content-Disposition":    "attachment; filename=" + strconv.Quote(name),
		"X-Content-Type-Options": "nosniff",
	})
}
