-- +goose Up
-- Masked ID numbers show the first 2 and last 2 characters (they showed 4
-- and 4, which with a birth date rebuilt the whole number). The old mask's
-- first and last two are the number's own, so the new mask is made from it.
UPDATE members SET id_masked = CONCAT(LEFT(id_masked, 2), REPEAT('*', CHAR_LENGTH(id_masked) - 4), RIGHT(id_masked, 2))
  WHERE CHAR_LENGTH(id_masked) > 4;

-- +goose Down
-- The hidden characters are not in the mask; a down migration cannot widen it.
SELECT 1;
