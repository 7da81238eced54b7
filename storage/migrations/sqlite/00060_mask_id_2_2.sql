-- +goose Up
-- Masked ID numbers show the first 2 and last 2 characters (they showed 4
-- and 4, which with a birth date rebuilt the whole number). The old mask's
-- first and last two are the number's own, so the new mask is made from it.
UPDATE members SET id_masked = substr(id_masked, 1, 2) || substr('****************************', 1, length(id_masked) - 4) || substr(id_masked, -2)
  WHERE length(id_masked) > 4;

-- +goose Down
-- The hidden characters are not in the mask; a down migration cannot widen it.
SELECT 1;
