package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// societyPairingRoutes registers 结对助学 matching: the bureau pairs donors
// with consenting children, records payments, reads and stops letters
// (/staff/society/pairings); staff read a case's donations; the family
// reads its pairings and aid record and writes letters (/resident); the
// donor reads the pairing and writes letters with the pairing number and
// code (/public/pairings, no login).
func (s *Server) societyPairingRoutes(v1 *gin.RouterGroup) {
	pub := v1.Group("/public/pairings", noStore())
	pub.POST("/view", s.handle(s.donorPairing))
	pub.POST("/letters", s.handle(s.donorLetter))

	st := v1.Group("/staff", noStore(), s.authenticate(model.PrincipalStaff))
	st.GET("/society/pairings", s.allow(model.ActSocietyManage), s.handle(s.listPairings))
	st.POST("/society/pairings", s.allow(model.ActSocietyManage), s.idempotent(), s.handle(s.matchPairing))
	st.GET("/society/pairings/:id", s.allow(model.ActSocietyManage), s.handle(s.getPairing))
	st.POST("/society/pairings/:id/payments", s.allow(model.ActSocietyManage), s.idempotent(), s.handle(s.payPairing))
	st.POST("/society/pairings/:id/letters/stop", s.allow(model.ActSocietyManage), s.handle(s.stopPairingLetters))
	st.GET("/applications/:id/donations", s.allow(model.ActApplicationsRead), s.handle(s.caseDonations))

	res := v1.Group("/resident", noStore(), s.authenticate(model.PrincipalResident))
	res.PUT("/pairing-consents/:id/letters", s.handle(s.setPairingLetters))
	res.GET("/pairings", s.handle(s.listFamilyPairings))
	res.POST("/pairings/:id/letters", s.idempotent(), s.handle(s.familyLetter))
	res.GET("/aid-record", s.handle(s.aidRecord))
}

func (s *Server) donorPairing(c *gin.Context) error {
	var req service.DonorPairingInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Society.DonorPairing(c.Request.Context(), req, c.ClientIP())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) donorLetter(c *gin.Context) error {
	var req service.DonorLetterInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Society.DonorLetter(c.Request.Context(), req, c.ClientIP())
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, v)
	return nil
}

func (s *Server) listPairings(c *gin.Context) error {
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	p, err := s.app.Society.Pairings(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, p)
	return nil
}

func (s *Server) matchPairing(c *gin.Context) error {
	var req service.MatchInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Society.Match(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, v)
	return nil
}

func (s *Server) getPairing(c *gin.Context) error {
	v, err := s.app.Society.PairingDetail(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) payPairing(c *gin.Context) error {
	var req service.PaymentInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Society.Pay(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, v)
	return nil
}

func (s *Server) stopPairingLetters(c *gin.Context) error {
	var req service.StopLettersInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Society.StopLetters(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) caseDonations(c *gin.Context) error {
	v, err := s.app.Society.CaseDonations(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": v})
	return nil
}

func (s *Server) setPairingLetters(c *gin.Context) error {
	var req service.LettersConsentInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Pairing.SetLetters(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) listFamilyPairings(c *gin.Context) error {
	v, err := s.app.Pairing.Pairings(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": v})
	return nil
}

func (s *Server) familyLetter(c *gin.Context) error {
	var req service.LetterInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Pairing.FamilyLetter(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, v)
	return nil
}

func (s *Server) aidRecord(c *gin.Context) error {
	v, err := s.app.Pairing.AidRecord(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": v})
	return nil
}
