-- The example lark-service's own database, next to the bot's (compose only).
CREATE DATABASE lark_service;
