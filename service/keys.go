package service

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/jiuzhu/jiuzhu/model"
)

// Keys derives, from JIUZHU_SECRET_KEY, the separate keys Jiuzhu uses: one
// AES-256-GCM key for personal data at rest, one HMAC key for blind indexes
// (so an encrypted ID number can still be looked up and kept unique), one
// for hashing session tokens and one-time codes before they are stored, and
// one AES-256-GCM key that seals the per-document data keys.
type Keys struct {
	aead     cipher.AEAD
	docKeys  cipher.AEAD
	indexKey []byte
	tokenKey []byte
	// auditKey keys the audit batch chain; checkpointKey signs the chain
	// head written outside the database. Neither is stored anywhere.
	auditKey      []byte
	checkpointKey []byte
	randomSrc     io.Reader
}

// NewKeys derives the keys with HKDF-SHA256. random is the nonce source
// (crypto/rand when nil).
func NewKeys(secret string, random io.Reader) (*Keys, error) {
	if len(secret) < 32 {
		return nil, errors.New("secret key must be at least 32 characters")
	}
	derive := func(info string) ([]byte, error) {
		k, err := hkdf.Key(sha256.New, []byte(secret), []byte("jiuzhu/v1"), info, 32)
		if err != nil {
			return nil, fmt.Errorf("derive %s key: %w", info, err)
		}
		return k, nil
	}
	aead, err := newGCM(derive("pii-encryption"))
	if err != nil {
		return nil, err
	}
	indexKey, err := derive("blind-index")
	if err != nil {
		return nil, err
	}
	tokenKey, err := derive("token-hash")
	if err != nil {
		return nil, err
	}
	auditKey, err := derive("audit-seal")
	if err != nil {
		return nil, err
	}
	checkpointKey, err := derive("audit-checkpoint")
	if err != nil {
		return nil, err
	}
	docKeys, err := newGCM(derive("document-key-wrap"))
	if err != nil {
		return nil, err
	}
	if random == nil {
		random = rand.Reader
	}
	return &Keys{aead: aead, docKeys: docKeys, indexKey: indexKey, tokenKey: tokenKey, auditKey: auditKey, checkpointKey: checkpointKey, randomSrc: random}, nil
}

// newGCM makes an AES-256-GCM AEAD of a derived key.
func newGCM(key []byte, err error) (cipher.AEAD, error) {
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("gcm: %w", err)
	}
	return aead, nil
}

// Seal encrypts plaintext for storage; the result is base64 text holding
// a fresh nonce and the ciphertext. The empty string seals to "".
func (k *Keys) Seal(plaintext string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := io.ReadFull(k.randomSrc, nonce); err != nil {
		return "", fmt.Errorf("nonce: %w", err)
	}
	out := k.aead.Seal(nonce, nonce, []byte(plaintext), nil)
	return base64.RawStdEncoding.EncodeToString(out), nil
}

// Open decrypts what Seal produced. It fails when the text was altered or
// sealed under another key.
func (k *Keys) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil {
		return "", fmt.Errorf("open sealed value: %w", err)
	}
	ns := k.aead.NonceSize()
	if len(raw) < ns {
		return "", errors.New("open sealed value: too short")
	}
	pt, err := k.aead.Open(nil, raw[:ns], raw[ns:], nil)
	if err != nil {
		return "", fmt.Errorf("open sealed value: %w", err)
	}
	return string(pt), nil
}

// BlindIndex is a keyed hash of a normalised value within a domain ("id",
// "phone"), used for equality lookups and unique indexes over encrypted
// columns without storing the value.
func (k *Keys) BlindIndex(domain, value string) string {
	m := hmac.New(sha256.New, k.indexKey)
	m.Write([]byte(domain))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

// TokenHash is the keyed hash under which a session token or one-time code
// is stored, so a leaked store does not leak usable tokens.
func (k *Keys) TokenHash(domain, token string) string {
	m := hmac.New(sha256.New, k.tokenKey)
	m.Write([]byte(domain))
	m.Write([]byte{0})
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// AuditBatchMAC is the keyed hash that seals a batch of audit rows: over
// the previous batch's MAC, the batch number and each row's seq and
// content digest, in seq order.
func (k *Keys) AuditBatchMAC(prevMAC string, batch int64, rows []model.AuditEntry) string {
	m := hmac.New(sha256.New, k.auditKey)
	fmt.Fprintf(m, "jiuzhu-audit-batch/v1|%d|%s|%d", batch, prevMAC, len(rows))
	for _, r := range rows {
		fmt.Fprintf(m, "|%d:%s", r.Seq, r.Digest())
	}
	return hex.EncodeToString(m.Sum(nil))
}

// CheckpointMAC signs an audit checkpoint's content with its own key.
func (k *Keys) CheckpointMAC(content []byte) string {
	m := hmac.New(sha256.New, k.checkpointKey)
	m.Write([]byte("jiuzhu-audit-checkpoint/v1|"))
	m.Write(content)
	return hex.EncodeToString(m.Sum(nil))
}
