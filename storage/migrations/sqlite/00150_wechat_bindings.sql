-- +goose Up
-- WeChat login (issue 13): the openid of the bureau's 公众号 a resident
-- bound after proving their phone by SMS. Sealed, with a blind index for
-- the lookup at login; one binding per resident and per openid.
CREATE TABLE wechat_bindings (
  resident_id VARCHAR(26) NOT NULL PRIMARY KEY,
  openid_index VARCHAR(64) NOT NULL,
  openid_sealed TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  FOREIGN KEY (resident_id) REFERENCES residents(id)
);
CREATE UNIQUE INDEX idx_wechat_bindings_openid ON wechat_bindings(openid_index);

-- +goose Down
DROP TABLE wechat_bindings;
