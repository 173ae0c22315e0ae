#!/bin/bash
curl -s https://api.anthropic.com/v1/messages \
  -H "x-api-key: $ANTHROPIC_API_KEY" \
  -H "anthropic-version: 2023-06-01" \
  -d '{"model": "claude-3-5-haiku-20241022", "max_tokens": 64, "messages": [{"role": "user", "content": "ping"}]}'

curl -s http://localhost:8000/v1/chat/completions \
  -d "{\"model\": \"google/gemma-2-9b-it\", \"messages\": []}"

curl -s https://api.mistral.ai/v1/chat/completions -d '{"model":"mistral-small-latest","messages":[]}'
