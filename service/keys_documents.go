package service

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
)

// sealedDataKeyPrefix marks the format of a sealed document data key, so a
// later format can be told apart.
const sealedDataKeyPrefix = "k1:"

// dataKeyAAD binds a sealed data key to the object it encrypts, so a key
// copied to another row does not open.
func dataKeyAAD(blobKey string) []byte {
	return []byte("jiuzhu/document-data-key\x00" + blobKey)
}

// SealDataKey seals a document's data key for storage next to its row,
// bound to the document's blob key.
func (k *Keys) SealDataKey(dataKey []byte, blobKey string) (string, error) {
	nonce := make([]byte, k.docKeys.NonceSize())
	if _, err := io.ReadFull(k.randomSrc, nonce); err != nil {
		return "", fmt.Errorf("nonce: %w", err)
	}
	out := k.docKeys.Seal(nonce, nonce, dataKey, dataKeyAAD(blobKey))
	return sealedDataKeyPrefix + base64.RawStdEncoding.EncodeToString(out), nil
}

// OpenDataKey opens what SealDataKey produced for the same blob key. It
// fails when the value was altered, belongs to another object or was sealed
// under another master key.
func (k *Keys) OpenDataKey(sealed, blobKey string) ([]byte, error) {
	rest, ok := strings.CutPrefix(sealed, sealedDataKeyPrefix)
	if !ok {
		return nil, errors.New("open data key: unknown format")
	}
	raw, err := base64.RawStdEncoding.DecodeString(rest)
	if err != nil {
		return nil, fmt.Errorf("open data key: %w", err)
	}
	ns := k.docKeys.NonceSize()
	if len(raw) < ns {
		return nil, errors.New("open data key: too short")
	}
	key, err := k.docKeys.Open(nil, raw[:ns], raw[ns:], dataKeyAAD(blobKey))
	if err != nil {
		return nil, fmt.Errorf("open data key: %w", err)
	}
	return key, nil
}
