-- What a step said (issue 9): its result line in both languages ({"zh-CN": …, "en-US": …}), or why it was
-- skipped; and, for a step re-run after its worker was lost, when that worker was declared lost.
ALTER TABLE steps ADD COLUMN result jsonb;
ALTER TABLE steps ADD COLUMN interrupted_at timestamptz;
