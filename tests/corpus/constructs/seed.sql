INSERT INTO llm_models (name, context) VALUES ('gpt-4o', 128000), ('acme-sql-chat-2', 8000);
