-- Issue 13: thread lines owed to one thread go as one reply when Lark's pacing would hold them back.
-- Before a thread reply is sent, the rows it carries are claimed under its uuid (`batch`), so a retry after a
-- crash or a lost answer sends exactly the same rows under the same uuid (Lark sends one message per uuid),
-- never a different grouping of them.
ALTER TABLE outbox ADD COLUMN batch text;
